import Foundation
import Postgres

/// Families answering an event (issue 16, build 6): an RSVP with an optional consented contact
/// (confirmed and reminded by email), and a self check-in from the poster's QR code, open from an
/// hour before the start to two hours after the end. A check-in whose contact matches an RSVP's
/// is linked to it, so the liaison sees who came of those who said they would.
public struct EventRSVPs: Sendable {
    public init() {}

    /// When a self check-in is open, around the event's own times.
    public static let checkInOpensBefore: TimeInterval = 3600
    public static let checkInClosesAfter: TimeInterval = 2 * 3600

    public struct RSVP: Sendable, Equatable {
        public var id: Int64
        public var eventID: Int64
        public var group: StakeholderGroup
        public var partySize: Int
        public var hasContact: Bool
        public var checkedIn: Bool
        public var createdAt: Date
    }

    public func rsvp(
        eventID: Int64,
        group: StakeholderGroup,
        partySize: Int,
        contact: ContactDetails?,
        language: String,
        now: Date = Date(),
        on db: PostgresConnection
    ) async throws -> RSVP {
        var validator = Validator()
        validator.range(partySize, "party_size", 1...20)
        if let contact { contact.validate(&validator, field: "contact") }
        try validator.check()
        let event = try await lockOpen(eventID, on: db)
        if event.endsAt <= now { throw EngagementError.conflict("the event is over") }
        let participantID = try await contact.asyncMap { try await Participants().participant(for: $0, on: db) }
        if let capacity = event.capacity {
            // The person's earlier answer, which this one replaces, does not count.
            let coming = try await db.query(
                """
                SELECT coalesce(sum(party_size), 0)::bigint FROM event_rsvps
                WHERE event_id = \(eventID) AND (participant_id IS NULL OR \(participantID)::bigint IS NULL OR participant_id <> \(participantID))
                """
            ).one().decode(Int.self, at: 0)
            if coming + partySize > capacity { throw EngagementError.conflict("the event is full", field: "party_size") }
        }
        let row = try await db.query(
            """
            INSERT INTO event_rsvps (event_id, stakeholder_group, party_size, participant_id, language)
            VALUES (\(eventID), \(group.rawValue)::stakeholder_group, \(partySize), \(participantID), \(language))
            ON CONFLICT (event_id, participant_id) WHERE participant_id IS NOT NULL
            DO UPDATE SET party_size = excluded.party_size, stakeholder_group = excluded.stakeholder_group, language = excluded.language
            RETURNING id, created_at
            """
        ).one()
        let (id, createdAt) = try row.decode((Int64, Date).self)
        if let participantID, let contact {
            // The confirmation, in the same transaction; the reminder comes at the lead time.
            try await Consents().grant(participantID: participantID, purpose: .events, contact: contact, language: language, on: db)
            try await Outbox().enqueue(
                .init(participantID: participantID, purpose: .events, template: "rsvp_confirmed", data: ["rsvp": "\(id)"], dedupeKey: "rsvp:\(id)"),
                on: db
            )
        }
        return RSVP(
            id: id,
            eventID: eventID,
            group: group,
            partySize: partySize,
            hasContact: participantID != nil,
            checkedIn: false,
            createdAt: createdAt
        )
    }

    /// A check-in by the person at the door, from the poster's link.
    public func selfCheckIn(
        eventID: Int64,
        group: StakeholderGroup,
        contact: ContactDetails?,
        now: Date = Date(),
        on db: PostgresConnection
    ) async throws -> Attendance {
        let event = try await lockOpen(eventID, on: db)
        guard Self.checkInWindow(event).contains(now) else { throw EngagementError.conflict("check-in is closed", field: "event") }
        return try await Events().recordAttendance(
            eventID: eventID,
            .init(kind: "checkin", group: group, count: 1, contact: contact),
            recordedBy: nil,
            selfCheckIn: true,
            on: db
        )
    }

    public static func checkInWindow(_ event: Event) -> ClosedRange<Date> {
        event.startsAt.addingTimeInterval(-checkInOpensBefore)...event.endsAt.addingTimeInterval(checkInClosesAfter)
    }

    /// An event's RSVPs, newest first, without anyone's details.
    public func rsvps(eventID: Int64, limit: Int = 500, on db: PostgresConnection) async throws -> [RSVP] {
        try await db.query(
            """
            SELECT r.id, r.event_id, r.stakeholder_group::text, r.party_size, r.participant_id IS NOT NULL,
                   EXISTS (SELECT 1 FROM attendance a WHERE a.rsvp_id = r.id), r.created_at
            FROM event_rsvps r WHERE r.event_id = \(eventID) ORDER BY r.id DESC LIMIT \(limit)
            """
        ).map { row in
            let (id, eventID, group, partySize, hasContact, checkedIn, createdAt) = try row.decode(
                (Int64, Int64, String, Int, Bool, Bool, Date).self
            )
            return RSVP(
                id: id,
                eventID: eventID,
                group: StakeholderGroup(rawValue: group) ?? .families,
                partySize: partySize,
                hasContact: hasContact,
                checkedIn: checkedIn,
                createdAt: createdAt
            )
        }
    }

    /// Events not cancelled and not yet over, soonest first, for the public home page.
    public func upcoming(now: Date = Date(), limit: Int = 20, on db: PostgresConnection) async throws -> [Event] {
        try await db.query(
            """
            SELECT \(unsafeSQL: Events.columns) FROM events e WHERE e.cancelled_at IS NULL AND e.ends_at > \(now)
            ORDER BY e.starts_at, e.id LIMIT \(limit)
            """
        ).map(Events.event)
    }

    public struct CheckIn: Sendable, Equatable {
        public var recordedAt: Date
        public var group: StakeholderGroup
        public var selfCheckIn: Bool
        public var rsvp: Bool
    }

    /// The newest check-ins of an event, for the liaison at the door.
    public func recentCheckIns(eventID: Int64, limit: Int = 50, on db: PostgresConnection) async throws -> [CheckIn] {
        try await db.query(
            """
            SELECT recorded_at, stakeholder_group::text, self_checkin, rsvp_id IS NOT NULL FROM attendance
            WHERE event_id = \(eventID) AND kind = 'checkin' ORDER BY id DESC LIMIT \(limit)
            """
        ).map { row in
            let (recordedAt, group, selfCheckIn, rsvp) = try row.decode((Date, String, Bool, Bool).self)
            return CheckIn(recordedAt: recordedAt, group: StakeholderGroup(rawValue: group) ?? .families, selfCheckIn: selfCheckIn, rsvp: rsvp)
        }
    }

    /// The event, locked against a concurrent answer taking the last places; refused when it
    /// was cancelled.
    func lockOpen(_ eventID: Int64, on db: PostgresConnection) async throws -> Event {
        guard try await !db.query("SELECT 1 FROM events WHERE id = \(eventID) FOR UPDATE").isEmpty else {
            throw EngagementError.notFound("event")
        }
        let event = try await Events().event(id: eventID, on: db)
        if event.cancelledAt != nil { throw EngagementError.conflict("the event was cancelled", field: "event") }
        return event
    }
}

/// Reminders before events: each RSVP with a contact whose event starts within its lead time
/// gets one, once (the outbox's dedupe key). Run every minute by each worker with the volunteers'.
public struct EventReminders: Sendable {
    public init() {}

    @discardableResult
    public func schedule(now: Date = Date(), on db: PostgresConnection) async throws -> Int {
        let due = try await db.query(
            """
            SELECT r.id, r.participant_id FROM event_rsvps r JOIN events e ON e.id = r.event_id
            WHERE r.participant_id IS NOT NULL AND e.reminder_hours IS NOT NULL AND e.cancelled_at IS NULL
                AND e.starts_at > \(now) AND e.starts_at <= \(now)::timestamptz + e.reminder_hours * interval '1 hour'
                -- An answer given inside the lead time has its confirmation, with the time, already.
                AND r.created_at < e.starts_at - e.reminder_hours * interval '1 hour'
                AND NOT EXISTS (SELECT 1 FROM outbox m WHERE m.dedupe_key LIKE 'reminder:rsvp:' || r.id || ':%')
            ORDER BY e.starts_at LIMIT 1000
            """
        ).map { try $0.decode((Int64, Int64).self) }
        return try await Outbox().enqueueEach(due, purpose: .events, template: "event_reminder", key: "rsvp", dedupePrefix: "reminder:rsvp:", on: db)
    }
}
