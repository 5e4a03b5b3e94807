import Foundation
import Postgres

/// Changing events and volunteering after they were made (issue 14): edit, cancel with a
/// reason (the record stays, with its attendance and sign-ups), delete only what nothing hangs
/// from. Callers lock with `lock…` first so an ETag check and the change see the same row.
extension Events {
    public func lock(id: Int64, on db: PostgresConnection) async throws -> Event {
        guard try await !db.query("SELECT 1 FROM events WHERE id = \(id) FOR UPDATE").isEmpty else {
            throw EngagementError.notFound("event")
        }
        return try await event(id: id, on: db)
    }

    public func update(id: Int64, _ fields: EventFields, on db: PostgresConnection) async throws -> Event {
        try await validate(fields, on: db)
        try await db.query(
            """
            UPDATE events SET title = \(PostgresJSON(fields.title)), kind = \(fields.kind), school_id = \(fields.schoolID),
                location = \(fields.location), starts_at = \(fields.startsAt), ends_at = \(fields.endsAt), capacity = \(fields.capacity),
                languages = \(fields.languages)::text[], reminder_hours = \(fields.reminderHours)
            WHERE id = \(id)
            """
        )
        let ids = fields.initiativeIDs.map(String.init)
        try await db.query("DELETE FROM event_initiatives WHERE event_id = \(id) AND NOT initiative_id = ANY(\(ids)::bigint[])")
        try await db.query(
            """
            INSERT INTO event_initiatives (event_id, initiative_id) SELECT \(id), unnest(\(ids)::bigint[])
            ON CONFLICT DO NOTHING
            """
        )
        return try await event(id: id, on: db)
    }

    public func cancel(id: Int64, reason: String, on db: PostgresConnection) async throws -> Event {
        try Cancellation.validate(reason)
        try await db.query(
            "UPDATE events SET cancelled_at = coalesce(cancelled_at, now()), cancel_reason = \(reason) WHERE id = \(id)"
        )
        return try await event(id: id, on: db)
    }

    public func delete(id: Int64, on db: PostgresConnection) async throws {
        guard try await db.query("SELECT 1 FROM attendance WHERE event_id = \(id) LIMIT 1").isEmpty else {
            throw EngagementError.conflict("the event has attendance: cancel it instead of deleting it")
        }
        try await db.query("DELETE FROM events WHERE id = \(id)")
    }
}

enum Cancellation {
    static func validate(_ reason: String) throws {
        var validator = Validator()
        validator.text(reason, "reason", min: 1, max: 500)
        try validator.check()
    }
}

extension Volunteering {
    public func lockOpportunity(id: Int64, on db: PostgresConnection) async throws -> Opportunity {
        guard try await !db.query("SELECT 1 FROM volunteer_opportunities WHERE id = \(id) FOR UPDATE").isEmpty,
            let found = try await opportunities(initiativeID: nil, id: id, on: db).first
        else { throw EngagementError.notFound("opportunity") }
        return found
    }

    /// The opportunity's own fields; its shifts are edited one by one.
    public func updateOpportunity(
        id: Int64,
        title: Translated,
        description: Translated,
        schoolID: Int64?,
        reminderHours: Int?? = nil,
        on db: PostgresConnection
    )
        async throws -> Opportunity
    {
        let languages = try await DistrictSettings.current(on: db).languageSet
        var validator = Validator()
        validator.id(schoolID, "school_id")
        if case .some(let hours) = reminderHours { validator.range(hours, "reminder_hours", 1...336) }
        validator.translated(title, "title", min: 1, max: 200, required: true, languages: languages)
        validator.translated(description, "description", max: 4000, required: false, languages: languages)
        try validator.check()
        if let schoolID, try await db.query("SELECT 1 FROM schools WHERE id = \(schoolID)").isEmpty {
            throw EngagementError.invalid("school_id", "no such school")
        }
        try await db.query(
            """
            UPDATE volunteer_opportunities SET title = \(PostgresJSON(title)), description = \(PostgresJSON(description)),
                school_id = \(schoolID)
            WHERE id = \(id)
            """
        )
        // nil: unchanged (the API's edit does not name it); .some(nil): no reminders.
        if case .some(let hours) = reminderHours {
            try await db.query("UPDATE volunteer_opportunities SET reminder_hours = \(hours) WHERE id = \(id)")
        }
        return try await lockOpportunity(id: id, on: db)
    }

    /// Cancels the opportunity and every shift of it: no new sign-ups.
    public func cancelOpportunity(id: Int64, reason: String, on db: PostgresConnection) async throws -> Opportunity {
        try Cancellation.validate(reason)
        try await db.query(
            """
            UPDATE volunteer_opportunities SET cancelled_at = coalesce(cancelled_at, now()), cancel_reason = \(reason) WHERE id = \(id)
            """
        )
        return try await lockOpportunity(id: id, on: db)
    }

    /// A shift with the opportunity it belongs to.
    public struct ShiftRecord: Sendable {
        public var opportunity: Opportunity
        public var shift: Shift
    }

    /// The opportunity a shift belongs to, locked, with the shift.
    public func lockShift(id: Int64, on db: PostgresConnection) async throws -> ShiftRecord {
        guard
            let row = try await db.query("SELECT opportunity_id FROM volunteer_shifts WHERE id = \(id) FOR UPDATE").first
        else { throw EngagementError.notFound("shift") }
        let opportunity = try await lockOpportunity(id: try row.decode(Int64.self, at: 0), on: db)
        guard let shift = opportunity.shifts.first(where: { $0.id == id }) else { throw EngagementError.notFound("shift") }
        return ShiftRecord(opportunity: opportunity, shift: shift)
    }

    /// Another shift of an opportunity that is not cancelled.
    public func addShift(opportunityID: Int64, _ fields: ShiftFields, on db: PostgresConnection) async throws -> Opportunity {
        let opportunity = try await lockOpportunity(id: opportunityID, on: db)
        if opportunity.cancelledAt != nil { throw EngagementError.conflict("the opportunity was cancelled") }
        try Self.validate(fields)
        try await db.query(
            """
            INSERT INTO volunteer_shifts (opportunity_id, starts_at, ends_at, capacity, waitlist)
            VALUES (\(opportunityID), \(fields.startsAt), \(fields.endsAt), \(fields.capacity), \(fields.waitlist))
            """
        )
        return try await lockOpportunity(id: opportunityID, on: db)
    }

    static func validate(_ fields: ShiftFields) throws {
        var validator = Validator()
        if fields.endsAt <= fields.startsAt { validator.add("ends_at", "must be after starts_at") }
        validator.range(fields.capacity, "capacity", 1...10_000)
        Surveys.validateDate(fields.startsAt, "starts_at", &validator)
        Surveys.validateDate(fields.endsAt, "ends_at", &validator)
        try validator.check()
    }

    /// New times or size; a shift cannot shrink below the people already confirmed.
    public func updateShift(id: Int64, _ fields: ShiftFields, on db: PostgresConnection) async throws -> ShiftRecord {
        let current = try await lockShift(id: id, on: db).shift
        try Self.validate(fields)
        if fields.capacity < current.confirmed {
            throw EngagementError.conflict("\(current.confirmed) people are confirmed: the capacity cannot be lower", field: "capacity")
        }
        try await db.query(
            """
            UPDATE volunteer_shifts SET starts_at = \(fields.startsAt), ends_at = \(fields.endsAt), capacity = \(fields.capacity),
                waitlist = \(fields.waitlist)
            WHERE id = \(id)
            """
        )
        return try await lockShift(id: id, on: db)
    }

    public func cancelShift(id: Int64, reason: String, on db: PostgresConnection) async throws -> ShiftRecord {
        try Cancellation.validate(reason)
        try await db.query(
            "UPDATE volunteer_shifts SET cancelled_at = coalesce(cancelled_at, now()), cancel_reason = \(reason) WHERE id = \(id)"
        )
        return try await lockShift(id: id, on: db)
    }
}
