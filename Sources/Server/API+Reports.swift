import Engagement
import Foundation
import OpenAPIRuntime

/// "You said, we did" over the API (issue 17): an initiative's milestones and updates. Both are
/// public on the initiative's page; changing them is for administrators and the coordinator who
/// owns the initiative. Followers are emailed by `InitiativeReports` in the same transaction.
extension API {
    func listMilestones(_ input: Operations.ListMilestones.Input) async throws -> Operations.ListMilestones.Output {
        let (milestones, languages) = try await readTexts { db in
            _ = try await reference.initiative(id: input.path.initiativeId, on: db)
            return try await InitiativeReports().milestones(initiativeID: input.path.initiativeId, on: db)
        }
        return .ok(.init(body: .json(.init(items: milestones.map { $0.schema(languages) }))))
    }

    func createMilestone(_ input: Operations.CreateMilestone.Input) async throws -> Operations.CreateMilestone.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let initiativeID = try Self.ownInitiative(input.path.initiativeId)
        let milestone = try await idempotency.run(
            key: input.headers.idempotencyKey,
            operation: "createMilestone",
            path: ["initiative": initiativeID],
            body: body
        ) { db in
            let languages = try await Self.initiativeLanguages(initiativeID, on: db)
            let id = try await InitiativeReports().addMilestone(
                initiativeID: initiativeID,
                title: Translated(body.title, body.titleTranslations, languages: languages) ?? Translated(),
                dueOn: body.dueOn,
                percent: body.percentComplete ?? 0,
                actor: try Access.caller().actor(requestID: Access.requestID),
                on: db
            )
            return try await Self.milestone(id, initiativeID: initiativeID, languages: languages, on: db)
        }
        return .created(.init(body: .json(milestone)))
    }

    func updateMilestone(_ input: Operations.UpdateMilestone.Input) async throws -> Operations.UpdateMilestone.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let initiativeID = try Self.ownInitiative(input.path.initiativeId)
        let milestone = try await database.transaction { db in
            let languages = try await Self.initiativeLanguages(initiativeID, on: db)
            try await InitiativeReports().progress(
                input.path.milestoneId,
                initiativeID: initiativeID,
                percent: body.percentComplete,
                actor: try Access.caller().actor(requestID: Access.requestID),
                on: db
            )
            return try await Self.milestone(input.path.milestoneId, initiativeID: initiativeID, languages: languages, on: db)
        }
        return .ok(.init(body: .json(milestone)))
    }

    func listInitiativeUpdates(_ input: Operations.ListInitiativeUpdates.Input) async throws -> Operations.ListInitiativeUpdates.Output {
        let limit = try Self.limit(input.query.limit)
        let (updates, languages) = try await readTexts { db in
            _ = try await reference.initiative(id: input.path.initiativeId, on: db)
            return try await InitiativeReports().updates(initiativeID: input.path.initiativeId, limit: limit, on: db)
        }
        return .ok(.init(body: .json(.init(items: updates.map { $0.schema(languages) }))))
    }

    func postInitiativeUpdate(_ input: Operations.PostInitiativeUpdate.Input) async throws -> Operations.PostInitiativeUpdate.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let initiativeID = try Self.ownInitiative(input.path.initiativeId)
        let update = try await idempotency.run(
            key: input.headers.idempotencyKey,
            operation: "postInitiativeUpdate",
            path: ["initiative": initiativeID],
            body: body
        ) { db in
            let languages = try await Self.initiativeLanguages(initiativeID, on: db)
            let id = try await InitiativeReports().post(
                initiativeID: initiativeID,
                title: Translated(body.title, body.titleTranslations, languages: languages) ?? Translated(),
                body: Translated(body.body, body.bodyTranslations, languages: languages) ?? Translated(),
                themes: body.themes ?? [],
                caseIDs: body.caseIds ?? [],
                actor: try Access.caller().actor(requestID: Access.requestID),
                on: db
            )
            let updates = try await InitiativeReports().updates(initiativeID: initiativeID, limit: 200, on: db)
            guard let update = updates.first(where: { $0.id == id }) else { throw EngagementError.notFound("update") }
            return update.schema(languages)
        }
        return .created(.init(body: .json(update)))
    }

    /// A coordinator changes the reports of the initiatives they own only: another's is out of
    /// reach, so 404 as for any record out of reach.
    static func ownInitiative(_ id: Int64) throws -> Int64 {
        try Access.reach({ $0.covers(initiatives: [id]) }, "initiative")
        return id
    }

    /// The district's languages, once the initiative is known to exist (404 otherwise).
    static func initiativeLanguages(_ id: Int64, on db: Store.Connection) async throws -> LanguageSet {
        _ = try await ReferenceData().initiative(id: id, on: db)
        return try await DistrictSettings.current(on: db).languageSet
    }

    static func milestone(
        _ id: Int64,
        initiativeID: Int64,
        languages: LanguageSet,
        on db: Store.Connection
    ) async throws
        -> Components.Schemas.Milestone
    {
        guard let milestone = try await InitiativeReports().milestones(initiativeID: initiativeID, on: db).first(where: { $0.id == id }) else {
            throw EngagementError.notFound("milestone")
        }
        return milestone.schema(languages)
    }
}

extension InitiativeReports.Milestone {
    func schema(_ languages: LanguageSet) -> Components.Schemas.Milestone {
        .init(id: id, title: title.text(languages), titleTranslations: title.schema, dueOn: dueOn, percentComplete: percentComplete)
    }
}

extension InitiativeReports.Update {
    func schema(_ languages: LanguageSet) -> Components.Schemas.InitiativeUpdate {
        .init(
            id: id,
            title: title.text(languages),
            titleTranslations: title.schema,
            body: body.text(languages),
            bodyTranslations: body.schema,
            themes: themes,
            caseIds: caseIDs,
            postedAt: postedAt
        )
    }
}
