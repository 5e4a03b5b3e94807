import Foundation
import HTTPTypes
import Hummingbird
import InputParsing
import OpenAPIRuntime
import Yams

/// What the generated server does not check of the contract, checked before any handler runs.

/// Date-times as RFC 3339 §5.6 writes them, read strictly (`InputParsing.RFC3339`): no day
/// rollover, fractional seconds optional. The generated decoder gives the transcoder no coding
/// path, so a bad one is reported by its value (422), not as malformed JSON.
struct RFC3339DateTranscoder: DateTranscoder {
    func encode(_ date: Date) throws -> String { try ISO8601DateTranscoder.iso8601.encode(date) }

    func decode(_ text: String) throws -> Date {
        guard let seconds = RFC3339.secondsSince1970(text) else { throw InvalidDateTime(text: String(text.prefix(40))) }
        return Date(timeIntervalSince1970: seconds)
    }
}

/// Query parameters and headers with ranges and lengths in the contract (`QueryRules`), and
/// `If-None-Match` and `If-Match` one value of at most 200 characters. 400 names the parameter.
/// Integer path and query parameters written with a zero fraction (`/initiatives/1.0`) are read
/// as the integer (JSON Schema's integers include 1.0; docs/decisions.md).
struct QueryGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        for (name, value) in context.parameters {
            if let whole = QueryRules.wholeNumber(value) { context.coreContext.parameters[name] = whole }
        }
        var request = request
        if let query = request.uri.query, let rewritten = QueryRules.wholeNumbers(inQuery: query) {
            var head = request.head
            head.path = request.uri.path + "?" + rewritten
            request = Request(head: head, body: request.body)
        }
        if let query = request.uri.query, let name = QueryRules.valuelessParameter(inQuery: query) {
            throw QueryGuardError(parameter: name, detail: "needs a value (name=value)")
        }
        for (name, value) in request.uri.queryParameters {
            if let problem = QueryRules.problem(name: name, value: value) {
                throw QueryGuardError(parameter: String(name), detail: problem)
            }
        }
        // The whole field, every value of it: the generated code reads only up to a comma.
        for name in [HTTPField.Name.ifNoneMatch, .ifMatch] {
            let values = request.headers[values: name]
            if values.contains(where: { $0.utf8.count > 200 }) || values.count > 1 {
                throw QueryGuardError(parameter: name.rawName, detail: "must be one value of at most 200 characters")
            }
        }
        return try await next(request, context)
    }
}

struct InvalidDateTime: Error {
    let text: String
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

/// The operations of the contract, read with Yams: each path's methods and whether the
/// operation takes a request body.
struct ContractRoutes: Sendable {
    struct Route: Sendable {
        let pattern: [String]
        let methods: Set<HTTPRequest.Method>
        let methodsWithBody: Set<HTTPRequest.Method>
    }

    let routes: [Route]

    init(contract: String, prefix: String, extra: [(String, [HTTPRequest.Method])]) throws {
        guard let document = try Yams.load(yaml: contract) as? [String: Any], let paths = document["paths"] as? [String: Any] else {
            throw HTTPError(.internalServerError, message: "openapi.yaml has no paths")
        }
        var routes = extra.map { Route(pattern: Self.segments($0.0), methods: Set($0.1), methodsWithBody: []) }
        for (path, item) in paths {
            guard let operations = item as? [String: Any] else { continue }
            var methods: Set<HTTPRequest.Method> = []
            var withBody: Set<HTTPRequest.Method> = []
            for (name, operation) in operations {
                guard let method = HTTPRequest.Method(name.uppercased()), ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method.rawValue)
                else { continue }
                methods.insert(method)
                if (operation as? [String: Any])?["requestBody"] != nil { withBody.insert(method) }
            }
            routes.append(Route(pattern: Self.segments(prefix + path), methods: methods, methodsWithBody: withBody))
        }
        self.routes = routes
    }

    static func segments(_ path: String) -> [String] { path.split(separator: "/").map(String.init) }

    func route(_ path: String) -> Route? {
        let parts = Self.segments(path)
        return routes.first { route in
            route.pattern.count == parts.count && zip(route.pattern, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
    }
}

/// A method the contract does not list for a path it has: 405 with `Allow`, not 404. An
/// operation that takes a body, sent without a `Content-Type`: 415 (the generated server would
/// read it as JSON).
struct MethodGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    let contract: ContractRoutes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let route = contract.route(request.uri.path) {
            if !route.methods.contains(request.method) {
                throw MethodNotAllowed(allow: route.methods.map(\.rawValue).sorted().joined(separator: ", "))
            }
            if route.methodsWithBody.contains(request.method), request.headers[.contentType] == nil {
                throw HTTPError(.unsupportedMediaType, message: "send the body as JSON with Content-Type: application/json")
            }
        }
        return try await next(request, context)
    }
}

struct MethodNotAllowed: Error {
    let allow: String
}
