import Crypto
import Engagement
import Foundation
import OpenAPIRuntime

/// Editing what staff set up (issue 14): PATCH, cancel, close, publish, delete. Every change goes
/// through `edit`: lock the record, check the caller's reach and the `If-Match` version, apply,
/// and write the audit row with the record before and after, all in one transaction.
extension API {
    /// A record's version as an ETag: a hash of the record as the API shows it, so any change
    /// a client could see changes it.
    static func etag(_ record: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return "\"" + SHA256.hash(data: try encoder.encode(record)).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
    }

    /// What `edit` needs to know of a kind of record: how to lock one, whether a scope reaches
    /// it, and how the API shows it.
    struct Editable<Record: Sendable, Schema: Codable & Sendable>: Sendable {
        let entity: String
        let lock: @Sendable (Int64, Store.Connection) async throws -> Record
        let reach: @Sendable (Record, StaffScope) -> Bool
        let schema: @Sendable (Record, LanguageSet) -> Schema
    }

    /// Locks the record, refuses it when out of reach (404) or changed since `ifMatch` (412),
    /// applies `apply` (nil: the record is gone) and audits. Returns the record's new schema and
    /// its ETag.
    func edit<Record: Sendable, Schema: Codable & Sendable>(
        _ action: String,
        _ kind: Editable<Record, Schema>,
        id: Int64,
        ifMatch: String?,
        apply: (Record, Store.Connection) async throws -> Record?
    ) async throws -> (schema: Schema?, etag: String?) {
        let scope = try Access.caller().scope
        return try await database.transaction { db in
            let languages = try await DistrictSettings.current(on: db).languageSet
            let current = try await kind.lock(id, db)
            guard kind.reach(current, scope) else { throw EngagementError.notFound(kind.entity) }
            let before = kind.schema(current, languages)
            if let ifMatch, ifMatch != "*", ifMatch != (try Self.etag(before)) {
                throw EngagementError(code: .changed, detail: "the \(kind.entity) changed since that version: read it again")
            }
            let after = try await apply(current, db).map { kind.schema($0, languages) }
            try await Access.audit(action, kind.entity, id: id, old: before, new: after, on: db)
            return (after, try after.map(Self.etag))
        }
    }

    static let goal = Editable<Goal, Components.Schemas.Goal>(
        entity: "goal",
        lock: { try await ReferenceData().lockGoal(id: $0, on: $1) },
        reach: { _, _ in true },
        schema: { $0.schema($1) }
    )
    static let survey = Editable<Survey, Components.Schemas.Survey>(
        entity: "survey",
        lock: { try await Surveys().lock(id: $0, on: $1) },
        reach: { $1.covers(initiatives: [$0.initiativeID]) },
        schema: { $0.schema($1) }
    )
    static let event = Editable<Event, Components.Schemas.Event>(
        entity: "event",
        lock: { try await Events().lock(id: $0, on: $1) },
        reach: { $1.covers(school: $0.schoolID, initiatives: $0.initiativeIDs) },
        schema: { $0.schema($1) }
    )
    static let opportunity = Editable<Opportunity, Components.Schemas.Opportunity>(
        entity: "opportunity",
        lock: { try await Volunteering().lockOpportunity(id: $0, on: $1) },
        reach: { $1.covers(school: $0.schoolID, initiatives: [$0.initiativeID]) },
        schema: { $0.schema($1) }
    )
    /// A shift with its opportunity, whose school and initiative are the shift's.
    static let shift = Editable<Volunteering.ShiftRecord, Components.Schemas.Shift>(
        entity: "shift",
        lock: { try await Volunteering().lockShift(id: $0, on: $1) },
        reach: { $1.covers(school: $0.opportunity.schoolID, initiatives: [$0.opportunity.initiativeID]) },
        schema: { record, _ in record.shift.schema }
    )
    static let school = Editable<School, Components.Schemas.School>(
        entity: "school",
        lock: { try await ReferenceData().school(id: $0, on: $1) },
        reach: { _, _ in true },
        schema: { school, _ in school.schema }
    )
    static let initiative = Editable<Initiative, Components.Schemas.Initiative>(
        entity: "initiative",
        lock: { try await ReferenceData().initiative(id: $0, on: $1) },
        reach: { $1.covers(initiatives: [$0.id]) },
        schema: { $0.schema($1) }
    )
    /// `updateSignup` checks the shift's school and initiative itself.
    static let signup = Editable<Signup, Components.Schemas.Signup>(
        entity: "signup",
        lock: { try await Volunteering().signup(id: $0, on: $1) },
        reach: { _, _ in true },
        schema: { signup, _ in signup.schema }
    )

    static func required<T>(_ value: T?) throws -> T {
        guard let value else { throw EngagementError(code: .notFound, detail: "the record is gone") }
        return value
    }

    // MARK: Goals

    func getGoal(_ input: Operations.GetGoal.Input) async throws -> Operations.GetGoal.Output {
        let (goal, languages) = try await readTexts { try await reference.lockGoal(id: input.path.goalId, on: $0) }
        let schema = goal.schema(languages)
        return .ok(.init(headers: .init(eTag: try Self.etag(schema)), body: .json(schema)))
    }

    func updateGoal(_ input: Operations.UpdateGoal.Input) async throws -> Operations.UpdateGoal.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let (schema, etag) = try await edit("update", Self.goal, id: input.path.goalId, ifMatch: input.headers.ifMatch) { goal, db in
            let languages = try await DistrictSettings.current(on: db).languageSet
            return try await reference.updateGoal(
                id: goal.id,
                title: goal.title.merging(Translated(body.title, body.titleTranslations, languages: languages)),
                description: goal.description.merging(Translated(body.description, body.descriptionTranslations, languages: languages)),
                on: db
            )
        }
        return .ok(.init(headers: .init(eTag: etag), body: .json(try Self.required(schema))))
    }

    func deleteGoal(_ input: Operations.DeleteGoal.Input) async throws -> Operations.DeleteGoal.Output {
        _ = try await edit("delete", Self.goal, id: input.path.goalId, ifMatch: input.headers.ifMatch) { goal, db in
            try await reference.deleteGoal(id: goal.id, on: db)
            return nil
        }
        return .noContent(.init())
    }

    // MARK: Surveys

    func updateSurvey(_ input: Operations.UpdateSurvey.Input) async throws -> Operations.UpdateSurvey.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let (schema, etag) = try await edit("update", Self.survey, id: input.path.surveyId, ifMatch: input.headers.ifMatch) { survey, db in
            let languages = try await DistrictSettings.current(on: db).languageSet
            return try await surveys.update(
                id: survey.id,
                .init(
                    title: Translated(body.title, body.titleTranslations, languages: languages),
                    opensAt: body.opensAt,
                    closesAt: body.closesAt.map { .some($0) },
                    anonymous: body.anonymous,
                    questions: body.questions?.map { question in
                        Surveys.QuestionEdit(
                            id: question.id,
                            fields: .init(
                                kind: question.kind.domain,
                                prompt: Translated(question.prompt, question.promptTranslations, languages: languages) ?? Translated(),
                                help: Translated(question.help, question.helpTranslations, languages: languages),
                                required: question.required ?? false,
                                choices: (question.choices ?? []).map { $0.domain(languages) },
                                recommendation: question.recommendation ?? false,
                                followUp: question.followUp ?? false
                            )
                        )
                    }
                ),
                on: db
            )
        }
        return .ok(.init(headers: .init(eTag: etag), body: .json(try Self.required(schema))))
    }

    func publishSurvey(_ input: Operations.PublishSurvey.Input) async throws -> Operations.PublishSurvey.Output {
        let (schema, etag) = try await edit("publish", Self.survey, id: input.path.surveyId, ifMatch: input.headers.ifMatch) {
            try await surveys.publish(id: $0.id, on: $1)
        }
        return .ok(.init(headers: .init(eTag: etag), body: .json(try Self.required(schema))))
    }

    func closeSurvey(_ input: Operations.CloseSurvey.Input) async throws -> Operations.CloseSurvey.Output {
        let (schema, etag) = try await edit("close", Self.survey, id: input.path.surveyId, ifMatch: input.headers.ifMatch) {
            try await surveys.close(id: $0.id, on: $1)
        }
        return .ok(.init(headers: .init(eTag: etag), body: .json(try Self.required(schema))))
    }

    func deleteSurvey(_ input: Operations.DeleteSurvey.Input) async throws -> Operations.DeleteSurvey.Output {
        _ = try await edit("delete", Self.survey, id: input.path.surveyId, ifMatch: input.headers.ifMatch) {
            _ = try await surveys.delete(id: $0.id, on: $1)
            return nil
        }
        return .noContent(.init())
    }

    func duplicateSurvey(_ input: Operations.DuplicateSurvey.Input) async throws -> Operations.DuplicateSurvey.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let scope = try Access.caller().scope
        let wave = try await idempotency.run(
            key: input.headers.idempotencyKey,
            operation: "duplicateSurvey",
            path: ["survey": input.path.surveyId],
            body: body
        ) { db in
            let earlier = try await surveys.survey(id: input.path.surveyId, on: db)
            guard Self.survey.reach(earlier, scope) else { throw EngagementError.notFound("survey") }
            let languages = try await DistrictSettings.current(on: db).languageSet
            return try await surveys.duplicate(id: earlier.id, opensAt: body.opensAt, closesAt: body.closesAt, on: db).schema(languages)
        }
        return .created(.init(headers: .init(eTag: try Self.etag(wave)), body: .json(wave)))
    }

    // MARK: Events

    func updateEvent(_ input: Operations.UpdateEvent.Input) async throws -> Operations.UpdateEvent.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let scope = try Access.caller().scope
        let (schema, etag) = try await edit("update", Self.event, id: input.path.eventId, ifMatch: input.headers.ifMatch) { event, db in
            let languages = try await DistrictSettings.current(on: db).languageSet
            var fields = event.fields
            fields.title = event.title.merging(Translated(body.title, body.titleTranslations, languages: languages))
            fields.kind = body.kind?.rawValue ?? fields.kind
            fields.initiativeIDs = body.initiativeIds ?? fields.initiativeIDs
            fields.schoolID = body.schoolId ?? fields.schoolID
            fields.location = body.location ?? fields.location
            fields.startsAt = body.startsAt ?? fields.startsAt
            fields.endsAt = body.endsAt ?? fields.endsAt
            fields.capacity = body.capacity ?? fields.capacity
            // An edit may not move the event out of the editor's reach.
            guard scope.covers(school: fields.schoolID, initiatives: fields.initiativeIDs) else {
                throw EngagementError(code: .forbidden, detail: "school_id: the event must stay at your schools and initiatives")
            }
            return try await events.update(id: event.id, fields, on: db)
        }
        return .ok(.init(headers: .init(eTag: etag), body: .json(try Self.required(schema))))
    }

    func cancelEvent(_ input: Operations.CancelEvent.Input) async throws -> Operations.CancelEvent.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let (schema, etag) = try await edit("cancel", Self.event, id: input.path.eventId, ifMatch: input.headers.ifMatch) {
            try await events.cancel(id: $0.id, reason: body.reason, on: $1)
        }
        return .ok(.init(headers: .init(eTag: etag), body: .json(try Self.required(schema))))
    }

    func deleteEvent(_ input: Operations.DeleteEvent.Input) async throws -> Operations.DeleteEvent.Output {
        _ = try await edit("delete", Self.event, id: input.path.eventId, ifMatch: input.headers.ifMatch) {
            try await events.delete(id: $0.id, on: $1)
            return nil
        }
        return .noContent(.init())
    }

    // MARK: Volunteering

    func getOpportunity(_ input: Operations.GetOpportunity.Input) async throws -> Operations.GetOpportunity.Output {
        let (opportunity, languages) = try await readTexts {
            try await volunteering.lockOpportunity(id: input.path.opportunityId, on: $0)
        }
        let schema = opportunity.schema(languages)
        return .ok(.init(headers: .init(eTag: try Self.etag(schema)), body: .json(schema)))
    }

    func updateOpportunity(_ input: Operations.UpdateOpportunity.Input) async throws -> Operations.UpdateOpportunity.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let (schema, etag) = try await edit("update", Self.opportunity, id: input.path.opportunityId, ifMatch: input.headers.ifMatch) {
            opportunity,
            db in
            let languages = try await DistrictSettings.current(on: db).languageSet
            return try await volunteering.updateOpportunity(
                id: opportunity.id,
                title: opportunity.title.merging(Translated(body.title, body.titleTranslations, languages: languages)),
                description: opportunity.description.merging(
                    Translated(body.description, body.descriptionTranslations, languages: languages)
                ),
                schoolID: body.schoolId ?? opportunity.schoolID,
                on: db
            )
        }
        return .ok(.init(headers: .init(eTag: etag), body: .json(try Self.required(schema))))
    }

    func addShift(_ input: Operations.AddShift.Input) async throws -> Operations.AddShift.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let scope = try Access.caller().scope
        let opportunity = try await idempotency.run(
            key: input.headers.idempotencyKey,
            operation: "addShift",
            path: ["opportunity": input.path.opportunityId],
            body: body
        ) { db in
            let current = try await volunteering.lockOpportunity(id: input.path.opportunityId, on: db)
            guard Self.opportunity.reach(current, scope) else { throw EngagementError.notFound("opportunity") }
            let languages = try await DistrictSettings.current(on: db).languageSet
            let fields = Volunteering.ShiftFields(
                startsAt: body.startsAt,
                endsAt: body.endsAt,
                capacity: body.capacity,
                waitlist: body.waitlist ?? true
            )
            let updated = try await volunteering.addShift(opportunityID: current.id, fields, on: db).schema(languages)
            try await Access.audit("update", "opportunity", id: current.id, old: current.schema(languages), new: updated, on: db)
            return updated
        }
        return .created(.init(body: .json(opportunity)))
    }

    func cancelOpportunity(_ input: Operations.CancelOpportunity.Input) async throws -> Operations.CancelOpportunity.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let (schema, etag) = try await edit("cancel", Self.opportunity, id: input.path.opportunityId, ifMatch: input.headers.ifMatch) {
            try await volunteering.cancelOpportunity(id: $0.id, reason: body.reason, on: $1)
        }
        return .ok(.init(headers: .init(eTag: etag), body: .json(try Self.required(schema))))
    }

    func updateShift(_ input: Operations.UpdateShift.Input) async throws -> Operations.UpdateShift.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let (schema, etag) = try await edit("update", Self.shift, id: input.path.shiftId, ifMatch: input.headers.ifMatch) { record, db in
            let shift = record.shift
            return try await volunteering.updateShift(
                id: shift.id,
                .init(
                    startsAt: body.startsAt ?? shift.startsAt,
                    endsAt: body.endsAt ?? shift.endsAt,
                    capacity: body.capacity ?? shift.capacity,
                    waitlist: body.waitlist ?? shift.waitlist
                ),
                on: db
            )
        }
        return .ok(.init(headers: .init(eTag: etag), body: .json(try Self.required(schema))))
    }

    func cancelShift(_ input: Operations.CancelShift.Input) async throws -> Operations.CancelShift.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let (schema, etag) = try await edit("cancel", Self.shift, id: input.path.shiftId, ifMatch: input.headers.ifMatch) {
            try await volunteering.cancelShift(id: $0.shift.id, reason: body.reason, on: $1)
        }
        return .ok(.init(headers: .init(eTag: etag), body: .json(try Self.required(schema))))
    }
}
