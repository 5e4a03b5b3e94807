import Engagement
import Hummingbird

/// Who is calling, for the duration of a request: set by `AuthenticationMiddleware`, read by the
/// API handlers (which the OpenAPI generator gives no request context).
enum Access {
    @TaskLocal static var principal: Tokens.Principal?

    /// The caller of a route that `AccessPolicy` reserves for token holders.
    static func caller() throws -> Tokens.Principal {
        guard let principal else { throw EngagementError(code: .unauthorized, detail: "this needs a bearer token") }
        return principal
    }
}

/// Reads `Authorization: Bearer …` and applies `AccessPolicy` before the body is decoded, so an
/// unauthorised request learns 401/403 rather than what is wrong with its body. A header with an
/// unknown or revoked token is 401 even on public endpoints: a client never silently loses rights.
struct AuthenticationMiddleware<Context: RequestContext>: RouterMiddleware {
    let database: Store
    let tokens = Tokens()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var principal: Tokens.Principal?
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer",
                let found = try await tokens.authenticate(String(parts[1]), on: database)
            else {
                throw EngagementError(code: .unauthorized, detail: "the bearer token is not valid")
            }
            principal = found
        }
        let route = "\(request.method.rawValue) \(AccessPolicy.template(context.endpointPath ?? request.uri.path))"
        try AccessPolicy.check(route: route, principal: principal)
        return try await Access.$principal.withValue(principal) { try await next(request, context) }
    }
}

/// Who may call what, in one table keyed by method and OpenAPI path. Routes missing here are
/// refused (a test checks every operation of the contract has an entry).
enum AccessPolicy {
    enum Rule {
        case everyone
        case roles(Set<Role>)
    }

    static let rules: [String: Rule] = [
        "GET /goals": .roles([.admin]),
        "POST /goals": .roles([.admin]),
        "GET /schools": .roles([.admin, .liaison]),
        "POST /schools": .roles([.admin]),
        "GET /schools/{schoolId}": .roles([.admin, .liaison]),
        "PATCH /schools/{schoolId}": .roles([.admin]),
        "GET /initiatives": .roles([.admin, .liaison]),
        "POST /initiatives": .roles([.admin]),
        "GET /initiatives/{initiativeId}": .roles([.admin, .liaison]),
        "PATCH /initiatives/{initiativeId}": .roles([.admin]),
        "GET /surveys": .roles([.admin, .liaison]),
        "POST /surveys": .roles([.admin]),
        "GET /surveys/{surveyId}": .everyone,
        "POST /surveys/{surveyId}/responses": .everyone,
        "GET /responses": .roles([.admin]),
        "GET /feedback": .roles([.admin]),
        "POST /feedback": .everyone,
        "GET /events": .roles([.admin, .liaison]),
        "POST /events": .roles([.admin, .liaison]),
        "GET /events/{eventId}": .roles([.admin, .liaison]),
        "GET /events/{eventId}/attendance": .roles([.admin, .liaison]),
        "POST /events/{eventId}/attendance": .roles([.admin, .liaison]),
        "GET /opportunities": .everyone,
        "POST /opportunities": .roles([.admin]),
        "POST /shifts/{shiftId}/signups": .everyone,
        "PATCH /signups/{signupId}": .roles([.admin, .liaison]),
        "GET /participants/{participantId}/contact": .roles([.admin]),
        "GET /jobs/stats": .roles([.admin]),
        "GET /scorecards": .roles([.admin, .liaison]),
        "GET /scorecards/{initiativeId}": .roles([.admin, .liaison]),
    ]

    static func check(route: String, principal: Tokens.Principal?) throws {
        switch rules[route] {
        case .everyone:
            return
        case .roles(let roles):
            guard let principal else { throw EngagementError(code: .unauthorized, detail: "this needs a bearer token") }
            guard roles.contains(principal.role) else {
                throw EngagementError(code: .forbidden, detail: "a \(principal.role.rawValue) token may not do this")
            }
        case nil:
            throw EngagementError(code: .forbidden, detail: "no access rule for this route")
        }
    }

    /// "/api/v1/schools/:schoolId" or "/api/v1/schools/{schoolId}" → "/schools/{schoolId}".
    static func template(_ path: String) -> String {
        var parts = path.split(separator: "/").map { part in
            part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }
        if parts.starts(with: ["api", "v1"]) { parts.removeFirst(2) }
        return "/" + parts.joined(separator: "/")
    }
}

/// Refuses bodies over the limit with 413 before any handler reads them.
struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maximumBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maximumBytes {
            throw HTTPError(.contentTooLarge, message: "the body is larger than \(maximumBytes) bytes")
        }
        var request = request
        _ = try await request.collectBody(upTo: maximumBytes)
        return try await next(request, context)
    }
}
