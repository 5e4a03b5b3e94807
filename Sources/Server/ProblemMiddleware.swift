import Engagement
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import OpenAPIRuntime

/// RFC 9457 problem details for every error, mapped in this one place: domain errors, request
/// decoding errors, database unavailability, and Hummingbird's own (404, 413). Anything
/// unexpected is a 500 whose details go to the log, never to the client.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Problem(error)
            if problem.status >= 500 {
                context.logger.error(
                    "request failed",
                    metadata: ["error": "\(String(reflecting: Problem.innermost(error)))"]
                )
            }
            return problem.response()
        }
    }
}

struct Problem: Encodable {
    struct FieldError: Encodable {
        let field: String
        let message: String
    }

    var type = "about:blank"
    var title: String
    var status: Int
    var detail: String?
    var errors: [FieldError]?
    /// The `Allow` header of a 405.
    var allow: String?

    enum CodingKeys: String, CodingKey {
        case type, title, status, detail, errors
    }

    init(status: HTTPResponse.Status, detail: String?, errors: [FieldError]? = nil) {
        self.title = status.reasonPhrase
        self.status = status.code
        self.detail = detail
        self.errors = errors?.isEmpty == true ? nil : errors
    }

    static func innermost(_ error: any Error) -> any Error {
        if let error = error as? ServerError { return innermost(error.underlyingError) }
        return error
    }

    init(_ error: any Error) {
        let serverError = error as? ServerError
        switch Self.innermost(error) {
        case let error as EngagementError:
            let status: HTTPResponse.Status =
                switch error.code {
                case .invalid: .unprocessableContent
                case .notFound: .notFound
                case .conflict: .conflict
                case .unauthorized: .unauthorized
                case .forbidden: .forbidden
                case .changed: .preconditionFailed
                default: .badRequest
                }
            self.init(status: status, detail: error.detail, errors: error.fields.map { FieldError(field: $0.field, message: $0.message) })
        case let error as DecodingError:
            self.init(decoding: error)
        case let error as QueryGuardError:
            self.init(
                status: .badRequest,
                detail: "\(error.parameter) \(error.detail)",
                errors: [FieldError(field: error.parameter, message: error.detail)]
            )
        case let error as MethodNotAllowed:
            self.init(status: .methodNotAllowed, detail: "this path takes \(error.allow)")
            self.allow = error.allow
        case let error where Store.failure(of: error) == .unavailable:
            self.init(status: .serviceUnavailable, detail: "the database is unavailable; try again shortly")
        case let error where Store.failure(of: error) == .unstorableText:
            self.init(status: .unprocessableContent, detail: "text must not contain NUL characters")
        case let error as InvalidDateTime:
            let message = "\"\(error.text)\" is not an RFC 3339 date-time (YYYY-MM-DDTHH:MM:SS with Z or ±HH:MM, a real day)"
            self.init(status: .unprocessableContent, detail: message, errors: [FieldError(field: "date-time", message: message)])
        case is HTTPParserError:
            // Bad framing: an invalid chunk size, a body cut short by a half-close, a bad header.
            self.init(status: .badRequest, detail: "the request is not valid HTTP/1.1 (its framing or headers)")
        case let error as ChannelError where error == .eof || error == .inputClosed || error == .ioOnClosedChannel:
            self.init(status: .badRequest, detail: "the request ended before its body did")
        case let error as HTTPError:
            self.init(status: error.status, detail: error.body)
        case let error as any HTTPResponseError:
            self.init(status: error.status, detail: nil)
        default:
            if let serverError, serverError.httpStatus.code < 500 {
                self.init(status: serverError.httpStatus, detail: serverError.causeDescription)
            } else {
                self.init(status: .internalServerError, detail: "an unexpected error; it has been logged")
            }
        }
    }

    /// A JSON syntax error is 400; a well-formed body with a wrong value, type, missing or unknown
    /// field is 422 naming the field.
    init(decoding error: DecodingError) {
        func path(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (key.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            self.init(status: .badRequest, detail: "the body is not valid JSON")
        case .dataCorrupted(let context):
            let field = path(context.codingPath)
            let message =
                context.debugDescription.lowercased().contains("additional properties") ? "is not a known field" : "has an invalid value"
            self.init(status: .unprocessableContent, detail: "\(field) \(message)", errors: [FieldError(field: field, message: message)])
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath, key)
            self.init(status: .unprocessableContent, detail: "\(field) is required", errors: [FieldError(field: field, message: "is required")])
        case .typeMismatch(_, let context) where context.codingPath.isEmpty,
            .valueNotFound(_, let context) where context.codingPath.isEmpty:
            // Path and query parameters decode without a coding path.
            self.init(status: .badRequest, detail: "a path or query parameter has an invalid value")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let field = path(context.codingPath)
            let message = "must be \(Self.describe(type))"
            self.init(status: .unprocessableContent, detail: "\(field) \(message)", errors: [FieldError(field: field, message: message)])
        @unknown default:
            self.init(status: .badRequest, detail: "the body could not be read")
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default: "of the right type"
        }
    }

    func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data(#"{"status":500,"title":"Internal Server Error","type":"about:blank"}"#.utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/problem+json"
        if status == 401 { headers[.wwwAuthenticate] = "Bearer" }
        if let allow { headers[.allow] = allow }
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
