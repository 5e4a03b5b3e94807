import Engagement
import OpenAPIRuntime

extension API {
    func listGoals(_ input: Operations.ListGoals.Input) async throws -> Operations.ListGoals.Output {
        let (goals, languages) = try await readTexts { try await reference.goals(on: $0) }
        return .ok(.init(body: .json(.init(items: goals.map { $0.schema(languages) }))))
    }

    func createGoal(_ input: Operations.CreateGoal.Input) async throws -> Operations.CreateGoal.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let goal = try await idempotency.run(key: input.headers.idempotencyKey, operation: "createGoal", body: body) { db in
            let languages = try await DistrictSettings.current(on: db).languageSet
            return try await reference.createGoal(
                code: body.code,
                title: Translated(body.title, body.titleTranslations, languages: languages) ?? Translated(),
                description: Translated(body.description, body.descriptionTranslations, languages: languages) ?? Translated(),
                on: db
            ).schema(languages)
        }
        return .created(.init(body: .json(goal)))
    }

    func listSchools(_ input: Operations.ListSchools.Input) async throws -> Operations.ListSchools.Output {
        let limit = try Self.limit(input.query.limit)
        let page = try await read { try await reference.schools(cluster: input.query.cluster, cursor: input.query.cursor, limit: limit, on: $0) }
        return .ok(.init(body: .json(.init(items: page.items.map(\.schema), nextCursor: page.nextCursor))))
    }

    func createSchool(_ input: Operations.CreateSchool.Input) async throws -> Operations.CreateSchool.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let school = try await idempotency.run(key: input.headers.idempotencyKey, operation: "createSchool", body: body) { db in
            try await reference.createSchool(
                .init(code: body.code, name: body.name, cluster: body.cluster, level: body.level.rawValue, enrollment: body.enrollment),
                on: db
            ).schema
        }
        return .created(.init(body: .json(school)))
    }

    func getSchool(_ input: Operations.GetSchool.Input) async throws -> Operations.GetSchool.Output {
        let school = try await read { try await reference.school(id: input.path.schoolId, on: $0) }
        return .ok(.init(body: .json(school.schema)))
    }

    func updateSchool(_ input: Operations.UpdateSchool.Input) async throws -> Operations.UpdateSchool.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let (school, _) = try await edit("update", Self.school, id: input.path.schoolId, ifMatch: nil) { _, db in
            try await reference.updateSchool(
                id: input.path.schoolId,
                .init(name: body.name, cluster: body.cluster, level: body.level?.rawValue, enrollment: body.enrollment),
                on: db
            )
        }
        return .ok(.init(body: .json(try Self.required(school))))
    }

    func listInitiatives(_ input: Operations.ListInitiatives.Input) async throws -> Operations.ListInitiatives.Output {
        let limit = try Self.limit(input.query.limit)
        let (page, languages) = try await readTexts {
            try await reference.initiatives(status: input.query.status?.rawValue, cursor: input.query.cursor, limit: limit, on: $0)
        }
        return .ok(.init(body: .json(.init(items: page.items.map { $0.schema(languages) }, nextCursor: page.nextCursor))))
    }

    func createInitiative(_ input: Operations.CreateInitiative.Input) async throws -> Operations.CreateInitiative.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let initiative = try await idempotency.run(key: input.headers.idempotencyKey, operation: "createInitiative", body: body) { db in
            let languages = try await DistrictSettings.current(on: db).languageSet
            return try await reference.createInitiative(
                .init(
                    slug: body.slug,
                    title: Translated(body.title, body.titleTranslations, languages: languages),
                    description: Translated(body.description, body.descriptionTranslations, languages: languages),
                    goalID: body.goalId,
                    status: body.status?.rawValue,
                    startsOn: body.startsOn,
                    endsOn: body.endsOn,
                    themeKeywords: body.themeKeywords,
                    targets: body.targets?.domain,
                    ownerAccountID: body.ownerAccountId
                ),
                on: db
            ).schema(languages)
        }
        return .created(.init(body: .json(initiative)))
    }

    func getInitiative(_ input: Operations.GetInitiative.Input) async throws -> Operations.GetInitiative.Output {
        let (initiative, languages) = try await readTexts { try await reference.initiative(id: input.path.initiativeId, on: $0) }
        return .ok(.init(body: .json(initiative.schema(languages))))
    }

    func updateInitiative(_ input: Operations.UpdateInitiative.Input) async throws -> Operations.UpdateInitiative.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let (initiative, _) = try await edit("update", Self.initiative, id: input.path.initiativeId, ifMatch: nil) { _, db in
            let languages = try await DistrictSettings.current(on: db).languageSet
            return try await reference.updateInitiative(
                id: input.path.initiativeId,
                .init(
                    title: Translated(body.title, body.titleTranslations, languages: languages),
                    description: Translated(body.description, body.descriptionTranslations, languages: languages),
                    goalID: body.goalId,
                    status: body.status?.rawValue,
                    startsOn: body.startsOn,
                    endsOn: body.endsOn,
                    themeKeywords: body.themeKeywords,
                    targets: body.targets?.domain,
                    ownerAccountID: body.ownerAccountId
                ),
                on: db
            )
        }
        return .ok(.init(body: .json(try Self.required(initiative))))
    }
}

extension Goal {
    func schema(_ languages: LanguageSet) -> Components.Schemas.Goal {
        .init(
            id: id,
            code: code,
            title: title.text(languages),
            titleTranslations: title.schema,
            description: description.text(languages),
            descriptionTranslations: description.schema,
            missingTranslations: languages.missing(in: [title, description])
        )
    }
}

extension School {
    var schema: Components.Schemas.School {
        .init(id: id, code: code, name: name, cluster: cluster, level: .init(rawValue: level) ?? .other, enrollment: enrollment)
    }
}

extension Components.Schemas.Targets {
    var domain: Targets {
        Targets(reachPer100: reachPer100, voicePer100: voicePer100, participationRate: participationRate, volunteerHours: volunteerHours)
    }
}

extension Initiative {
    func schema(_ languages: LanguageSet) -> Components.Schemas.Initiative {
        .init(
            id: id,
            slug: slug,
            title: title.text(languages),
            titleTranslations: title.schema,
            description: description.text(languages),
            descriptionTranslations: description.schema,
            missingTranslations: languages.missing(in: [title, description]),
            goalId: goalID,
            ownerAccountId: ownerAccountID,
            status: .init(rawValue: status) ?? .active,
            startsOn: startsOn,
            endsOn: endsOn,
            themeKeywords: themeKeywords,
            targets: .init(
                reachPer100: targets.reachPer100,
                voicePer100: targets.voicePer100,
                participationRate: targets.participationRate,
                volunteerHours: targets.volunteerHours
            )
        )
    }
}
