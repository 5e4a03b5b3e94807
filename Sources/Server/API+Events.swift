import Engagement
import Foundation
import OpenAPIRuntime

extension API {
    func listEvents(_ input: Operations.ListEvents.Input) async throws -> Operations.ListEvents.Output {
        let query = input.query
        let filter = try Self.filter(
            initiativeID: query.initiativeId,
            schoolID: query.schoolId,
            from: query.from,
            to: query.to,
            cursor: query.cursor,
            limit: query.limit,
            scope: try Access.caller().scope
        )
        let (page, languages) = try await readTexts { try await events.events(filter, on: $0) }
        return .ok(.init(body: .json(.init(items: page.items.map { $0.schema(languages) }, nextCursor: page.nextCursor))))
    }

    func createEvent(_ input: Operations.CreateEvent.Input) async throws -> Operations.CreateEvent.Output {
        let principal = try Access.caller()
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        try Access.within(
            { $0.covers(school: body.schoolId, initiatives: body.initiativeIds) },
            "school_id",
            "the event must be at one of your schools and for one of your initiatives"
        )
        let event = try await idempotency.run(key: input.headers.idempotencyKey, operation: "createEvent", body: body) { db in
            let languages = try await DistrictSettings.current(on: db).languageSet
            return try await events.create(
                .init(
                    title: Translated(body.title, body.titleTranslations, languages: languages) ?? Translated(),
                    kind: body.kind.rawValue,
                    initiativeIDs: body.initiativeIds,
                    schoolID: body.schoolId,
                    location: body.location,
                    startsAt: body.startsAt,
                    endsAt: body.endsAt,
                    capacity: body.capacity
                ),
                recordedBy: principal.tokenID,
                on: db
            ).schema(languages)
        }
        return .created(.init(body: .json(event)))
    }

    func getEvent(_ input: Operations.GetEvent.Input) async throws -> Operations.GetEvent.Output {
        let (event, languages) = try await readTexts { try Access.reach(try await events.event(id: input.path.eventId, on: $0)) }
        let schema = event.schema(languages)
        return .ok(.init(headers: .init(eTag: try Self.etag(schema)), body: .json(schema)))
    }

    func listAttendance(_ input: Operations.ListAttendance.Input) async throws -> Operations.ListAttendance.Output {
        let limit = try Self.limit(input.query.limit)
        let page = try await read {
            try Access.reach(try await events.event(id: input.path.eventId, on: $0))
            return try await events.attendance(eventID: input.path.eventId, cursor: input.query.cursor, limit: limit, on: $0)
        }
        return .ok(.init(body: .json(.init(items: page.items.map(\.schema), nextCursor: page.nextCursor))))
    }

    func recordAttendance(_ input: Operations.RecordAttendance.Input) async throws -> Operations.RecordAttendance.Output {
        let principal = try Access.caller()
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let attendance = try await idempotency.run(
            key: input.headers.idempotencyKey,
            operation: "recordAttendance",
            path: ["event": input.path.eventId],
            body: body
        ) { db in
            try Access.reach(try await events.event(id: input.path.eventId, on: db))
            return try await events.recordAttendance(
                eventID: input.path.eventId,
                .init(kind: body.kind.rawValue, group: body.group.domain, count: body.count, contact: body.contact?.domain),
                recordedBy: principal.tokenID,
                on: db
            ).schema
        }
        return .created(.init(body: .json(attendance)))
    }
}

extension Event {
    func schema(_ languages: LanguageSet) -> Components.Schemas.Event {
        .init(
            id: id,
            title: title.text(languages),
            titleTranslations: title.schema,
            missingTranslations: languages.missing(in: [title]),
            kind: .init(rawValue: kind) ?? .other,
            initiativeIds: initiativeIDs,
            schoolId: schoolID,
            location: location,
            startsAt: startsAt,
            endsAt: endsAt,
            capacity: capacity,
            attendanceTotal: attendanceTotal,
            cancelledAt: cancelledAt,
            cancelReason: cancelReason
        )
    }
}

extension Attendance {
    var schema: Components.Schemas.Attendance {
        .init(
            id: id,
            eventId: eventID,
            kind: .init(rawValue: kind) ?? .headcount,
            group: .init(rawValue: group.rawValue)!,
            count: count,
            participantId: participantID,
            recordedAt: recordedAt
        )
    }
}
