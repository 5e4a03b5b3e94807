import Engagement
import Foundation
import OpenAPIRuntime

extension API {
    func listOpportunities(_ input: Operations.ListOpportunities.Input) async throws -> Operations.ListOpportunities.Output {
        var validator = Validator()
        validator.id(input.query.initiativeId, "initiative_id")
        try validator.check()
        let (opportunities, languages) = try await readTexts {
            try await volunteering.opportunities(initiativeID: input.query.initiativeId, on: $0)
        }
        return .ok(.init(body: .json(.init(items: opportunities.map { $0.schema(languages) }))))
    }

    func createOpportunity(_ input: Operations.CreateOpportunity.Input) async throws -> Operations.CreateOpportunity.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        try Access.within({ $0.covers(school: body.schoolId, initiatives: [body.initiativeId]) }, "initiative_id", "is not one of yours")
        let opportunity = try await idempotency.run(key: input.headers.idempotencyKey, operation: "createOpportunity", body: body) { db in
            let languages = try await DistrictSettings.current(on: db).languageSet
            return try await volunteering.createOpportunity(
                .init(
                    initiativeID: body.initiativeId,
                    title: Translated(body.title, body.titleTranslations, languages: languages) ?? Translated(),
                    description: Translated(body.description, body.descriptionTranslations, languages: languages) ?? Translated(),
                    schoolID: body.schoolId,
                    shifts: body.shifts.map {
                        .init(startsAt: $0.startsAt, endsAt: $0.endsAt, capacity: $0.capacity, waitlist: $0.waitlist ?? true)
                    }
                ),
                on: db
            ).schema(languages)
        }
        return .created(.init(body: .json(opportunity)))
    }

    func signUp(_ input: Operations.SignUp.Input) async throws -> Operations.SignUp.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let signup = try await idempotency.run(
            key: input.headers.idempotencyKey,
            operation: "signUp",
            path: ["shift": input.path.shiftId],
            body: body
        ) { db in
            try await volunteering.signUp(shiftID: input.path.shiftId, group: body.group.domain, contact: body.contact.domain, on: db)
                .schema
        }
        return .created(.init(body: .json(signup)))
    }

    func updateSignup(_ input: Operations.UpdateSignup.Input) async throws -> Operations.UpdateSignup.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let scope = try Access.caller().scope
        let (signup, _) = try await edit("update", Self.signup, id: input.path.signupId, ifMatch: nil) { _, db in
            try await volunteering.updateSignup(
                id: input.path.signupId,
                status: body.status.flatMap { SignupStatus(rawValue: $0.rawValue) },
                hoursReported: body.hoursReported,
                hoursApproved: body.hoursApproved,
                scope: scope,
                on: db
            )
        }
        return .ok(.init(body: .json(try Self.required(signup))))
    }

    func getParticipantContact(_ input: Operations.GetParticipantContact.Input) async throws -> Operations.GetParticipantContact.Output {
        let principal = try Access.caller()
        let contact = try await database.transaction { db in
            try await Contacts().contact(participantID: input.path.participantId, readBy: principal, on: db)
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        participantId: contact.participantID,
                        name: contact.name,
                        email: contact.email,
                        phone: contact.phone,
                        consentedAt: contact.consentedAt,
                        retainUntil: contact.retainUntil
                    )
                )
            )
        )
    }
}

extension Opportunity {
    func schema(_ languages: LanguageSet) -> Components.Schemas.Opportunity {
        .init(
            id: id,
            initiativeId: initiativeID,
            title: title.text(languages),
            titleTranslations: title.schema,
            description: description.text(languages),
            descriptionTranslations: description.schema,
            missingTranslations: languages.missing(in: [title, description]),
            schoolId: schoolID,
            shifts: shifts.map(\.schema),
            cancelledAt: cancelledAt,
            cancelReason: cancelReason
        )
    }
}

extension Shift {
    var schema: Components.Schemas.Shift {
        .init(
            id: id,
            opportunityId: opportunityID,
            startsAt: startsAt,
            endsAt: endsAt,
            capacity: capacity,
            waitlist: waitlist,
            confirmed: confirmed,
            remaining: remaining,
            cancelledAt: cancelledAt,
            cancelReason: cancelReason
        )
    }
}

extension Signup {
    var schema: Components.Schemas.Signup {
        .init(
            id: id,
            shiftId: shiftID,
            participantId: participantID,
            status: .init(rawValue: status.rawValue)!,
            hoursReported: hoursReported,
            hoursApproved: hoursApproved,
            createdAt: createdAt
        )
    }
}
