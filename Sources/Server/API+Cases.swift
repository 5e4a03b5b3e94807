import Engagement
import Foundation
import OpenAPIRuntime

/// Cases (issue 17) over the API: the inbox in the caller's reach and the owner's actions. The
/// reach is the console's: a liaison's schools, a coordinator's initiatives, and whatever the
/// caller or their team owns. Contacts never appear, only `can_email`.
extension API {
    func listCases(_ input: Operations.ListCases.Input) async throws -> Operations.ListCases.Output {
        let principal = try Access.caller()
        let query = input.query
        let filter = Cases.Filter(
            initiativeID: query.initiativeId,
            schoolID: query.schoolId,
            theme: query.theme,
            sentiment: query.sentiment?.rawValue,
            language: query.language,
            olderThanDays: query.olderThanDays,
            status: query.status?.rawValue,
            ownerAccountID: query.ownerAccountId,
            criticalOnly: query.critical ?? false,
            limit: try Self.limit(query.limit)
        )
        let cases = try await read { try await Cases().list(filter, scope: principal.scope, accountID: principal.accountID, on: $0) }
        return .ok(.init(body: .json(.init(items: cases.map(\.schema)))))
    }

    func getCase(_ input: Operations.GetCase.Input) async throws -> Operations.GetCase.Output {
        .ok(.init(body: .json(try await read { try await Self.caseDetail(input.path.caseId, on: $0) })))
    }

    func replyToCase(_ input: Operations.ReplyToCase.Input) async throws -> Operations.ReplyToCase.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let detail = try await act(input.path.caseId, "replyToCase", key: input.headers.idempotencyKey, body: body) { cases, principal, db in
            _ = try await cases.reply(
                input.path.caseId,
                body.body,
                publish: body.publish ?? false,
                scope: principal.scope,
                actor: principal.actor(requestID: Access.requestID),
                on: db
            )
        }
        return .ok(.init(body: .json(detail)))
    }

    func addCaseNote(_ input: Operations.AddCaseNote.Input) async throws -> Operations.AddCaseNote.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let detail = try await act(input.path.caseId, "addCaseNote", key: input.headers.idempotencyKey, body: body) { cases, principal, db in
            try await cases.note(input.path.caseId, body.body, scope: principal.scope, actor: principal.actor(requestID: Access.requestID), on: db)
        }
        return .ok(.init(body: .json(detail)))
    }

    func setCaseStatus(_ input: Operations.SetCaseStatus.Input) async throws -> Operations.SetCaseStatus.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        guard let status = Cases.Status(rawValue: body.status.rawValue) else { throw EngagementError.invalid("status", "is not a case status") }
        let detail = try await act(input.path.caseId, "setCaseStatus", key: nil, body: body) { cases, principal, db in
            try await cases.setStatus(
                input.path.caseId,
                status,
                reason: body.reason,
                scope: principal.scope,
                actor: principal.actor(requestID: Access.requestID),
                on: db
            )
        }
        return .ok(.init(body: .json(detail)))
    }

    func assignCase(_ input: Operations.AssignCase.Input) async throws -> Operations.AssignCase.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        guard (body.accountId == nil) != (body.teamId == nil) else { throw EngagementError.invalid("account_id", "give an account_id or a team_id") }
        let detail = try await act(input.path.caseId, "assignCase", key: nil, body: body) { cases, principal, db in
            try await cases.assign(
                input.path.caseId,
                accountID: body.accountId,
                teamID: body.teamId,
                scope: principal.scope,
                actor: principal.actor(requestID: Access.requestID),
                on: db
            )
        }
        return .ok(.init(body: .json(detail)))
    }

    /// Applies one action to a case in a transaction (under an idempotency key when the client
    /// gives one: a retried reply is not sent twice) and answers the case as it is after.
    func act<Body: Encodable>(
        _ id: Int64,
        _ operation: String,
        key: String?,
        body: Body,
        _ apply: (Cases, Principal, Store.Connection) async throws -> Void
    ) async throws -> Components.Schemas.CaseDetail {
        let principal = try Access.caller()
        return try await idempotency.run(key: key, operation: operation, path: ["case": id], body: body) { db in
            try await apply(Cases(), principal, db)
            return try await Self.caseDetail(id, on: db)
        }
    }

    static func caseDetail(_ id: Int64, on db: Store.Connection) async throws -> Components.Schemas.CaseDetail {
        let principal = try Access.caller()
        guard let detail = try await Cases().detail(id, scope: principal.scope, accountID: principal.accountID, on: db) else {
            throw EngagementError.notFound("case")
        }
        return .init(
            _case: detail.summary.schema,
            noActionReason: detail.noActionReason,
            history: detail.history.map {
                .init(
                    id: $0.id,
                    at: $0.at,
                    accountId: $0.accountID,
                    accountName: $0.accountName,
                    kind: .init(rawValue: $0.kind) ?? .note,
                    body: $0.body,
                    published: $0.published,
                    emailed: $0.emailed
                )
            }
        )
    }
}

extension Cases.Summary {
    var schema: Components.Schemas.Case {
        .init(
            id: id,
            source: .init(rawValue: source) ?? .feedback,
            initiativeId: initiativeID,
            schoolId: schoolID,
            language: language,
            status: .init(rawValue: status.rawValue) ?? .new,
            ownerAccountId: ownerAccountID,
            ownerName: ownerName,
            teamId: teamID,
            teamName: teamName,
            critical: critical,
            criticalReason: criticalReason,
            openedAt: openedAt,
            firstResponseAt: firstResponseAt,
            text: text,
            compound: compound,
            themes: themes,
            canEmail: canEmail
        )
    }
}
