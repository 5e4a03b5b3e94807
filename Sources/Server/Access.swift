import Engagement
import Foundation
import Hummingbird

/// Who is calling, for the duration of a request: set by `AuthenticationMiddleware`, read by the
/// API handlers (which the OpenAPI generator gives no request context).
enum Access {
    @TaskLocal static var principal: Principal?
    /// The request's id, for the audit log.
    @TaskLocal static var requestID: String?

    /// Writes the audit row of a staff change, in the change's transaction: the record as the
    /// API shows it before and after (contact details never reach these schemas).
    static func audit(
        _ action: String,
        _ entity: String,
        id: Int64,
        old: (any Encodable)?,
        new: (any Encodable)?,
        on db: Store.Connection
    ) async throws {
        guard let principal else { return }
        try await Audit().record(
            action,
            entity,
            id: String(id),
            old: try old.map { try Self.values($0) },
            new: try new.map { try Self.values($0) },
            by: principal.actor(requestID: requestID),
            on: db
        )
    }

    static func values(_ record: any Encodable) throws -> [String: JSONValue] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return try JSONDecoder().decode([String: JSONValue].self, from: try encoder.encode(record))
    }

    /// The caller of a route that `AccessTable` reserves for staff.
    static func caller() throws -> Principal {
        guard let principal else { throw EngagementError(code: .unauthorized, detail: "this needs a bearer token") }
        return principal
    }

    /// A record out of the caller's reach is "not found", as if it did not exist (a liaison of
    /// one cluster learns nothing of another's events). Public callers of public routes pass.
    static func reach(_ covered: (StaffScope) -> Bool, _ what: String) throws {
        if let principal, !covered(principal.scope) { throw EngagementError.notFound(what) }
    }

    /// An event at a school out of reach, or serving none of the caller's initiatives, is 404.
    @discardableResult
    static func reach(_ event: Event) throws -> Event {
        try reach({ $0.covers(school: event.schoolID, initiatives: event.initiativeIDs) }, "event")
        return event
    }

    /// A new record must be inside the caller's reach: 403 naming the field otherwise.
    static func within(_ covered: (StaffScope) -> Bool, _ field: String, _ why: String) throws {
        if let principal, !covered(principal.scope) {
            throw EngagementError(code: .forbidden, detail: "\(field): \(why)")
        }
    }
}

/// Reads `Authorization: Bearer …` and applies `AccessTable` before the body is decoded, so an
/// unauthorised request learns 401/403 rather than what is wrong with its body. A header with an
/// unknown or revoked token is 401 even on public endpoints: a client never silently loses rights.
///
/// Known tokens' principals come from `principals` when given, retired on every server by the
/// change feed when a token is revoked or its account's role or reach changes; an unknown
/// secret is looked up every time (so guessing cannot fill the memory).
struct AuthenticationMiddleware<Context: RequestContext>: RouterMiddleware {
    let database: Store
    let principals: PrincipalCache?
    let tokens = Tokens()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var principal: Principal?
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer" else {
                throw EngagementError(code: .unauthorized, detail: "the bearer token is not valid")
            }
            principal = try await self.principal(String(parts[1]))
        }
        let route = "\(request.method.rawValue) \(AccessTable.template(context.endpointPath ?? request.uri.path))"
        try AccessTable.check(route: route, principal: principal)
        return try await Access.$principal.withValue(principal) {
            try await Access.$requestID.withValue(context.id) { try await next(request, context) }
        }
    }

    private func principal(_ secret: String) async throws -> Principal {
        let key = PrincipalCache.key(secret)
        if let kept = principals?.value(key) { return kept }
        let generation = principals?.currentGeneration
        guard let found = try await tokens.authenticate(secret, on: database) else {
            throw EngagementError(code: .unauthorized, detail: "the bearer token is not valid")
        }
        if let generation { principals?.store(key, found, generation: generation) }
        return found
    }
}

/// Who may call what — API operations (keyed by method and OpenAPI path) and console pages
/// (keyed by method and `/console/…` path) in one table. Routes missing here are refused; tests
/// check every operation of the contract and every console route has an entry, and the role ×
/// route matrix test is generated from it. Scope (which schools and initiatives) is checked by
/// the handlers against the record, through `Access.reach`.
enum AccessTable {
    enum Rule: Equatable {
        case everyone
        case roles(Set<StaffRole>)

        func allows(_ role: StaffRole?) -> Bool {
            switch self {
            case .everyone: true
            case .roles(let roles): role.map(roles.contains) ?? false
            }
        }
    }

    static let staff: Rule = .roles(Set(StaffRole.allCases))
    static let admin: Rule = .roles([.admin])
    /// Changes to initiatives, surveys and volunteering: coordinators within their initiatives.
    static let planners: Rule = .roles([.admin, .coordinator])
    /// Events and attendance: liaisons at their schools, coordinators for their initiatives.
    static let organisers: Rule = .roles([.admin, .coordinator, .liaison])
    /// Raw answers and comments, the job queue and the audit log: read, never changed.
    static let readers: Rule = .roles([.admin, .analyst])

    static let rules: [String: Rule] = [
        "GET /goals": staff,
        "POST /goals": admin,
        "GET /goals/{goalId}": staff,
        "PATCH /goals/{goalId}": admin,
        "DELETE /goals/{goalId}": admin,
        "GET /schools": staff,
        "POST /schools": admin,
        "GET /schools/{schoolId}": staff,
        "PATCH /schools/{schoolId}": admin,
        "GET /initiatives": staff,
        "POST /initiatives": admin,
        "GET /initiatives/{initiativeId}": staff,
        "PATCH /initiatives/{initiativeId}": planners,
        "GET /surveys": staff,
        "POST /surveys": planners,
        "GET /surveys/{surveyId}": .everyone,
        "PATCH /surveys/{surveyId}": planners,
        "DELETE /surveys/{surveyId}": planners,
        "POST /surveys/{surveyId}/publish": planners,
        "POST /surveys/{surveyId}/close": planners,
        "POST /surveys/{surveyId}/duplicate": planners,
        "POST /surveys/{surveyId}/responses": .everyone,
        "GET /responses": readers,
        "GET /feedback": readers,
        "POST /feedback": .everyone,
        "GET /events": staff,
        "POST /events": organisers,
        "GET /events/{eventId}": staff,
        "PATCH /events/{eventId}": organisers,
        "DELETE /events/{eventId}": organisers,
        "POST /events/{eventId}/cancel": organisers,
        "GET /events/{eventId}/attendance": staff,
        "POST /events/{eventId}/attendance": organisers,
        "GET /opportunities": .everyone,
        "POST /opportunities": planners,
        "GET /opportunities/{opportunityId}": staff,
        "PATCH /opportunities/{opportunityId}": planners,
        "POST /opportunities/{opportunityId}/cancel": planners,
        "POST /opportunities/{opportunityId}/shifts": planners,
        "PATCH /shifts/{shiftId}": planners,
        "POST /shifts/{shiftId}/cancel": planners,
        "POST /shifts/{shiftId}/signups": .everyone,
        "PATCH /signups/{signupId}": organisers,
        "GET /participants/{participantId}/contact": admin,
        "GET /jobs/stats": readers,
        // Cases (issue 17) as in the console: every role reads those in reach, without contacts;
        // those who handle comments act on them. Milestones and updates are public on the page.
        "GET /cases": staff,
        "GET /cases/{caseId}": staff,
        "POST /cases/{caseId}/reply": organisers,
        "POST /cases/{caseId}/notes": organisers,
        "POST /cases/{caseId}/status": organisers,
        "POST /cases/{caseId}/assign": organisers,
        "GET /initiatives/{initiativeId}/milestones": staff,
        "POST /initiatives/{initiativeId}/milestones": planners,
        "PATCH /initiatives/{initiativeId}/milestones/{milestoneId}": planners,
        "GET /initiatives/{initiativeId}/updates": staff,
        "POST /initiatives/{initiativeId}/updates": planners,
        // Aggregates with small cells suppressed, as the scorecards.
        "GET /surveys/{surveyId}/results": staff,
        "GET /scorecards": staff,
        "GET /scorecards/{initiativeId}": staff,
        // The console's pages (ConsolePages.routes); signing in is open to all.
        "GET /console/login": .everyone,
        "POST /console/login": .everyone,
        "GET /console/welcome/{link}": .everyone,
        "POST /console/welcome/{link}": .everyone,
        "POST /console/logout": .everyone,
        "GET /console": staff,
        "GET /console/accounts": admin,
        "POST /console/accounts": admin,
        "POST /console/accounts/{id}/{action}": admin,
        "GET /console/audit": readers,
        "GET /console/events": staff,
        "POST /console/events": organisers,
        "GET /console/events/{id}": staff,
        "POST /console/events/{id}": organisers,
        "POST /console/events/{id}/{action}": organisers,
        "GET /console/goals": staff,
        "POST /console/goals": admin,
        "GET /console/goals/{id}": staff,
        "POST /console/goals/{id}": admin,
        "POST /console/goals/{id}/{action}": admin,
        "GET /console/opportunities": staff,
        "POST /console/opportunities": planners,
        "GET /console/opportunities/{id}": staff,
        "POST /console/opportunities/{id}": planners,
        "POST /console/opportunities/{id}/{action}": planners,
        "GET /console/schools": staff,
        "POST /console/schools": admin,
        "POST /console/schools/import": admin,
        "GET /console/settings": admin,
        "POST /console/settings": admin,
        "GET /console/me": staff,
        "POST /console/me/two-factor": staff,
        "POST /console/me/tokens": staff,
        "POST /console/me/tokens/{id}/revoke": staff,
        "GET /console/initiatives": staff,
        "POST /console/initiatives": admin,
        "GET /console/initiatives/{id}": staff,
        "POST /console/initiatives/{id}": planners,
        "GET /console/surveys": .roles([.admin, .analyst, .coordinator]),
        "POST /console/surveys": planners,
        "GET /console/surveys/{id}": .roles([.admin, .analyst, .coordinator]),
        "POST /console/surveys/{id}": planners,
        "GET /console/surveys/{id}/preview": .roles([.admin, .analyst, .coordinator]),
        "POST /console/surveys/{id}/{action}": planners,
        "GET /console/surveys/{id}/results": staff,
        "GET /console/invitations/{id}": .roles([.admin, .analyst, .coordinator]),
        "POST /console/invitations/{id}": planners,
        "POST /console/invitations/{id}/remind": planners,
        "GET /console/hours": .roles([.admin, .analyst, .coordinator]),
        "POST /console/hours/{id}": planners,
        // The outbox without addresses; the texts of messages are the district's voice.
        "GET /console/messages": .roles([.admin, .analyst, .coordinator]),
        "POST /console/messages/texts": admin,
        // The inbox (issue 17): every role reads cases in reach (no contact is shown); those
        // who handle comments act on them; routing, critical terms and alerts are the admin's.
        "GET /console/cases": staff,
        "POST /console/cases/bulk": organisers,
        "GET /console/cases/{id}": staff,
        "POST /console/cases/{id}/{action}": organisers,
        "GET /console/routing": .roles([.admin, .analyst, .coordinator]),
        "POST /console/routing": admin,
        "GET /console/initiatives/{id}/report": staff,
        "POST /console/initiatives/{id}/report": planners,
        "POST /console/routing/{id}/{action}": admin,
        // Anonymised but unsuppressed responses: administrators, audited.
        "GET /console/surveys/{id}/export/{kind}": admin,
    ]

    static func check(route: String, principal: Principal?) throws {
        guard let rule = rules[route] else { throw EngagementError(code: .forbidden, detail: "no access rule for this route") }
        guard rule.allows(principal?.role) else {
            guard let principal else { throw EngagementError(code: .unauthorized, detail: "this needs a bearer token") }
            throw EngagementError(code: .forbidden, detail: "a \(principal.role.rawValue) may not do this")
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
