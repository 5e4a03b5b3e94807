import Foundation
import Postgres

/// Events liaisons record and their attendance: individual check-ins (one person, optionally
/// with contact details given with consent) or headcounts by stakeholder group.
public struct Events: Sendable {
    let participants = Participants()

    public init() {}

    public struct EventFields: Sendable {
        public var title: Translated
        public var kind: String
        public var initiativeIDs: [Int64]
        public var schoolID: Int64?
        public var location: String?
        public var startsAt: Date
        public var endsAt: Date
        public var capacity: Int?
        /// Languages spoken at the event (codes such as "es" or "so"), shown on its public page
        /// and its poster; any language, not only the district's.
        public var languages: [String]
        /// Hours before the start that RSVPs with a contact are reminded, nil for no reminder.
        public var reminderHours: Int?

        public init(
            title: Translated,
            kind: String,
            initiativeIDs: [Int64],
            schoolID: Int64?,
            location: String?,
            startsAt: Date,
            endsAt: Date,
            capacity: Int?,
            languages: [String] = [],
            reminderHours: Int? = 24
        ) {
            self.title = title
            self.kind = kind
            self.initiativeIDs = initiativeIDs
            self.schoolID = schoolID
            self.location = location
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.capacity = capacity
            self.languages = languages
            self.reminderHours = reminderHours
        }
    }

    public func create(_ fields: EventFields, recordedBy: Int64?, on db: PostgresConnection) async throws -> Event {
        try await validate(fields, on: db)
        let id = try await db.query(
            """
            INSERT INTO events (title, kind, school_id, location, starts_at, ends_at, capacity, recorded_by, languages, reminder_hours)
            VALUES (\(PostgresJSON(fields.title)), \(fields.kind), \(fields.schoolID), \(fields.location), \(fields.startsAt), \(fields.endsAt),
                    \(fields.capacity), \(recordedBy), \(fields.languages)::text[], \(fields.reminderHours))
            RETURNING id
            """
        ).one().decode(Int64.self, at: 0)
        try await db.query(
            "INSERT INTO event_initiatives (event_id, initiative_id) SELECT \(id), unnest(\(fields.initiativeIDs.map(String.init))::bigint[])"
        )
        return try await event(id: id, on: db)
    }

    /// The rules an event's fields keep, made or edited, and the records they name exist.
    func validate(_ fields: EventFields, on db: PostgresConnection) async throws {
        let languages = try await DistrictSettings.current(on: db).languageSet
        var validator = Validator()
        validator.translated(fields.title, "title", min: 1, max: 200, required: true, languages: languages)
        validator.text(fields.location, "location", max: 200)
        validator.id(fields.schoolID, "school_id")
        validator.range(fields.capacity, "capacity", 1...100_000)
        validator.range(fields.reminderHours, "reminder_hours", 1...336)
        if fields.languages.count > 20 { validator.add("languages", "names more than 20 languages") }
        if fields.languages.contains(where: { $0.wholeMatch(of: Self.languageCode) == nil }) {
            validator.add("languages", "must be language codes such as es or zh-Hans")
        }
        if fields.initiativeIDs.isEmpty { validator.add("initiative_ids", "must name at least one initiative") }
        if Set(fields.initiativeIDs).count != fields.initiativeIDs.count { validator.add("initiative_ids", "repeats an initiative") }
        if fields.endsAt <= fields.startsAt { validator.add("ends_at", "must be after starts_at") }
        Surveys.validateDate(fields.startsAt, "starts_at", &validator)
        Surveys.validateDate(fields.endsAt, "ends_at", &validator)
        try validator.check()
        let ids = fields.initiativeIDs.map(String.init)
        let known = try await db.query("SELECT count(*) FROM initiatives WHERE id = ANY(\(ids)::bigint[])").one().decode(Int.self, at: 0)
        if known != Set(fields.initiativeIDs).count { throw EngagementError.invalid("initiative_ids", "names an unknown initiative") }
        if let schoolID = fields.schoolID, try await db.query("SELECT 1 FROM schools WHERE id = \(schoolID)").isEmpty {
            throw EngagementError.invalid("school_id", "no such school")
        }
    }

    nonisolated(unsafe) static let languageCode = /[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}/

    static let columns = """
        e.id, e.title, e.kind, e.school_id, e.location, e.starts_at, e.ends_at, e.capacity,
        (SELECT coalesce(sum(count), 0)::bigint FROM attendance a WHERE a.event_id = e.id),
        (SELECT array_agg(initiative_id::text ORDER BY initiative_id) FROM event_initiatives i WHERE i.event_id = e.id),
        e.cancelled_at, e.cancel_reason, e.languages, e.reminder_hours
        """

    public func event(id: Int64, on db: PostgresConnection) async throws -> Event {
        guard let row = try await db.query("SELECT \(unsafeSQL: Self.columns) FROM events e WHERE e.id = \(id)").first else {
            throw EngagementError.notFound("event")
        }
        return try Self.event(row)
    }

    public func events(_ filter: ListFilter, on db: PostgresConnection) async throws -> Page<Event> {
        let before = try Cursor.beforeTime(filter.cursor)
        let rows = try await db.query(
            """
            SELECT \(unsafeSQL: Self.columns) FROM events e
            WHERE (\(filter.initiativeID)::bigint IS NULL
                   OR EXISTS (SELECT 1 FROM event_initiatives i WHERE i.event_id = e.id AND i.initiative_id = \(filter.initiativeID)))
              AND (\(filter.schoolID)::bigint IS NULL OR e.school_id = \(filter.schoolID))
              AND (\(filter.scope.schoolList)::text IS NULL
                   OR e.school_id = ANY (string_to_array(\(filter.scope.schoolList), ',')::bigint[]))
              AND (\(filter.scope.initiativeList)::text IS NULL
                   OR EXISTS (SELECT 1 FROM event_initiatives i WHERE i.event_id = e.id
                              AND i.initiative_id = ANY (string_to_array(\(filter.scope.initiativeList), ',')::bigint[])))
              AND (\(filter.from)::timestamptz IS NULL OR e.starts_at >= \(filter.from))
              AND (\(filter.to)::timestamptz IS NULL OR e.starts_at < \(filter.to))
              AND (\(before?.micros)::bigint IS NULL
                   OR (e.starts_at, e.id) < (timestamptz 'epoch' + \(before?.micros)::bigint * interval '1 microsecond', \(before?.id)::bigint))
            ORDER BY e.starts_at DESC, e.id DESC LIMIT \(filter.limit + 1)
            """
        )
        let items = try rows.map(Self.event)
        return Page(fetched: items, limit: filter.limit) { Cursor.time($0.startsAt, $0.id) }
    }

    static func event(_ row: PostgresRow) throws -> Event {
        let (id, title, kind, schoolID, location, startsAt, endsAt, capacity) = try row.decode(
            (Int64, PostgresJSON<Translated>, String, Int64?, String?, Date, Date, Int?).self
        )
        return Event(
            id: id,
            title: title.value,
            kind: kind,
            initiativeIDs: (try row.decode([String]?.self, at: 9) ?? []).compactMap { Int64($0) },
            schoolID: schoolID,
            location: location,
            startsAt: startsAt,
            endsAt: endsAt,
            capacity: capacity,
            attendanceTotal: try row.decode(Int.self, at: 8),
            cancelledAt: try row.decode(Date?.self, at: 10),
            cancelReason: try row.decode(String?.self, at: 11),
            languages: try row.decode([String].self, at: 12),
            reminderHours: try row.decode(Int?.self, at: 13)
        )
    }

    public struct AttendanceFields: Sendable {
        public var kind: String
        public var group: StakeholderGroup
        public var count: Int?
        public var contact: ContactDetails?

        public init(kind: String, group: StakeholderGroup, count: Int?, contact: ContactDetails?) {
            self.kind = kind
            self.group = group
            self.count = count
            self.contact = contact
        }
    }

    public func recordAttendance(
        eventID: Int64,
        _ fields: AttendanceFields,
        recordedBy: Int64?,
        selfCheckIn: Bool = false,
        on db: PostgresConnection
    )
        async throws -> Attendance
    {
        var validator = Validator()
        if fields.kind == "headcount" {
            if let count = fields.count {
                validator.range(count, "count", 0...100_000)
            } else {
                validator.add("count", "is required for a headcount")
            }
            if fields.contact != nil { validator.add("contact", "a headcount takes no contact details") }
        } else {
            if let count = fields.count, count != 1 { validator.add("count", "a check-in counts one person") }
            if let contact = fields.contact { contact.validate(&validator, field: "contact") }
        }
        try validator.check()
        // Locked for update: two check-ins with one contact must not both take its RSVP.
        guard try await !db.query("SELECT 1 FROM events WHERE id = \(eventID) FOR UPDATE").isEmpty else {
            throw EngagementError.notFound("event")
        }
        let participantID = try await fields.contact.asyncMap { try await participants.participant(for: $0, on: db) }
        let count = fields.kind == "headcount" ? fields.count ?? 0 : 1
        // A check-in with the contact of an RSVP not yet checked in comes on that RSVP.
        let row = try await db.query(
            """
            INSERT INTO attendance (event_id, kind, stakeholder_group, count, participant_id, recorded_by, self_checkin, rsvp_id)
            VALUES (\(eventID), \(fields.kind), \(fields.group.rawValue)::stakeholder_group, \(count), \(participantID), \(recordedBy),
                    \(selfCheckIn),
                    (SELECT r.id FROM event_rsvps r WHERE r.event_id = \(eventID) AND r.participant_id = \(participantID)
                     AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.rsvp_id = r.id)))
            RETURNING id, recorded_at, rsvp_id
            """
        ).one()
        let (id, recordedAt, rsvpID) = try row.decode((Int64, Date, Int64?).self)
        return Attendance(
            id: id,
            eventID: eventID,
            kind: fields.kind,
            group: fields.group,
            count: count,
            participantID: participantID,
            recordedAt: recordedAt,
            rsvpID: rsvpID
        )
    }

    public func attendance(eventID: Int64, cursor: String?, limit: Int, on db: PostgresConnection) async throws -> Page<Attendance> {
        guard try await !db.query("SELECT 1 FROM events WHERE id = \(eventID)").isEmpty else {
            throw EngagementError.notFound("event")
        }
        let after = try Cursor.afterID(cursor)
        let rows = try await db.query(
            """
            SELECT id, event_id, kind, stakeholder_group::text, count, participant_id, recorded_at FROM attendance
            WHERE event_id = \(eventID) AND id > \(after) ORDER BY id LIMIT \(limit + 1)
            """
        )
        let items: [Attendance] = try rows.map { row in
            let (id, eventID, kind, group, count, participantID, recordedAt) = try row.decode(
                (Int64, Int64, String, String, Int, Int64?, Date).self
            )
            return Attendance(
                id: id,
                eventID: eventID,
                kind: kind,
                group: StakeholderGroup(rawValue: group) ?? .families,
                count: count,
                participantID: participantID,
                recordedAt: recordedAt
            )
        }
        return Page(fetched: items, limit: limit) { String($0.id) }
    }
}
