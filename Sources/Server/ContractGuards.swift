import Foundation
import HTTPTypes
import Hummingbird
import InputParsing
import OpenAPIRuntime

/// What the generated server does not check of the contract, checked before any handler runs.

/// Date-times as RFC 3339 §5.6 writes them, read strictly (`InputParsing.RFC3339`): no day
/// rollover, offsets within ±18:00, fractional seconds optional.
struct RFC3339DateTranscoder: DateTranscoder {
    func encode(_ date: Date) throws -> String { try ISO8601DateTranscoder.iso8601.encode(date) }

    func decode(_ text: String) throws -> Date {
        guard let seconds = RFC3339.secondsSince1970(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "not an RFC 3339 date-time: \(text.prefix(64))"))
        }
        return Date(timeIntervalSince1970: seconds)
    }
}

/// Query parameters and headers with ranges and lengths in the contract (`QueryRules`), and
/// `If-None-Match` at most 200 characters. 400 names the parameter.
struct QueryGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let query = request.uri.query, let name = QueryRules.valuelessParameter(inQuery: query) {
            throw QueryGuardError(parameter: name, detail: "needs a value (name=value)")
        }
        for (name, value) in request.uri.queryParameters {
            if let problem = QueryRules.problem(name: name, value: value) {
                throw QueryGuardError(parameter: String(name), detail: problem)
            }
        }
        if let etag = request.headers[.ifNoneMatch], etag.count > 200 {
            throw QueryGuardError(parameter: "If-None-Match", detail: "must be at most 200 characters")
        }
        return try await next(request, context)
    }
}

struct QueryGuardError: Error {
    let parameter: String
    let detail: String
}

/// No request body field takes `null` (leave a field out instead); a null anywhere in a JSON
/// body is refused with 400 naming its path, rather than read as "not given".
struct NullGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: .max)
        // Cheap first: most bodies do not contain the word at all.
        if body.readableBytesView.firstRange(of: Array("null".utf8)) != nil,
            let json = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView), options: [.fragmentsAllowed]),
            let path = Self.firstNull(in: json, path: "")
        {
            throw QueryGuardError(parameter: path.isEmpty ? "body" : path, detail: "may not be null; leave the field out instead")
        }
        return try await next(request, context)
    }

    static func firstNull(in value: Any, path: String) -> String? {
        if value is NSNull { return path }
        if let object = value as? [String: Any] {
            for key in object.keys.sorted() {
                if let element = object[key], let found = firstNull(in: element, path: path.isEmpty ? key : path + "." + key) { return found }
            }
        } else if let array = value as? [Any] {
            for (index, element) in array.enumerated() {
                if let found = firstNull(in: element, path: "\(path)[\(index)]") { return found }
            }
        }
        return nil
    }
}

/// A method the contract does not list for a path it has: 405 with `Allow`, not 404.
struct MethodGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: [(pattern: [String], methods: Set<HTTPRequest.Method>)]

    init(contract: String, prefix: String, extra: [(String, [HTTPRequest.Method])]) {
        var routes: [(pattern: [String], methods: Set<HTTPRequest.Method>)] = extra.map {
            (Self.segments($0.0), Set($0.1))
        }
        var current: String?
        var methods: Set<HTTPRequest.Method> = []
        func flush() {
            if let current { routes.append((Self.segments(prefix + current), methods)) }
            methods = []
        }
        // The contract's layout: paths at two spaces, their methods at four.
        for line in contract.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                flush()
                current = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"),
                let method = HTTPRequest.Method(String(line.dropFirst(4).dropLast()).uppercased()),
                ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method.rawValue)
            {
                if current != nil { methods.insert(method) }
            } else if !line.hasPrefix(" "), !line.isEmpty {
                flush()
                current = nil
            }
        }
        flush()
        self.routes = routes
    }

    static func segments(_ path: String) -> [String] { path.split(separator: "/").map(String.init) }

    func allowed(_ path: String) -> Set<HTTPRequest.Method>? {
        let parts = Self.segments(path)
        return routes.first { route in
            route.pattern.count == parts.count
                && zip(route.pattern, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }?.methods
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let methods = allowed(request.uri.path), !methods.contains(request.method) {
            throw MethodNotAllowed(allow: methods.map(\.rawValue).sorted().joined(separator: ", "))
        }
        return try await next(request, context)
    }
}

struct MethodNotAllowed: Error {
    let allow: String
}
