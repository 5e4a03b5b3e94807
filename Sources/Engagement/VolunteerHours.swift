import Foundation
import Postgres

/// Hours after a shift (issue 16, build 5): the volunteer reports them from the link in the
/// message sent when the shift ends, a coordinator approves them (and may correct them), and
/// approved hours feed the scorecard as before.
public struct VolunteerHours: Sendable {
    public init() {}

    /// How long after its end a shift's hours may be reported from the link.
    public static let reportWindow: TimeInterval = 30 * 86_400

    public struct Report: Sendable, Equatable {
        public var signupID: Int64
        public var title: Translated
        public var startsAt: Date
        public var endsAt: Date
        public var hoursReported: Double?
        public var hoursApproved: Double?
        public var open: Bool
    }

    /// What the link's page shows; `open` is false before the shift ended, once hours were
    /// approved, after the window, or for a sign-up that did not stand.
    public func report(signupID: Int64, now: Date = Date(), on db: PostgresConnection) async throws -> Report? {
        guard
            let row = try await db.query(
                """
                SELECT s.status::text, o.title, sh.starts_at, sh.ends_at, s.hours_reported::float8, s.hours_approved::float8
                FROM signups s JOIN volunteer_shifts sh ON sh.id = s.shift_id JOIN volunteer_opportunities o ON o.id = sh.opportunity_id
                WHERE s.id = \(signupID)
                """
            ).first
        else { return nil }
        let (status, title, startsAt, endsAt, reported, approved) = try row.decode(
            (String, PostgresJSON<Translated>, Date, Date, Double?, Double?).self
        )
        let open =
            ["confirmed", "attended"].contains(status) && approved == nil && endsAt <= now && now < endsAt.addingTimeInterval(Self.reportWindow)
        return Report(
            signupID: signupID,
            title: title.value,
            startsAt: startsAt,
            endsAt: endsAt,
            hoursReported: reported,
            hoursApproved: approved,
            open: open
        )
    }

    /// The volunteer's own report (again, until approved).
    public func reportHours(signupID: Int64, hours: Double, now: Date = Date(), on db: PostgresConnection) async throws {
        var validator = Validator()
        validator.range(hours, "hours", 0.25...24)
        try validator.check()
        guard try await !db.query("SELECT 1 FROM signups WHERE id = \(signupID) FOR UPDATE").isEmpty,
            let report = try await report(signupID: signupID, now: now, on: db)
        else { throw EngagementError.notFound("sign-up") }
        guard report.open else { throw EngagementError.conflict("hours cannot be reported for this sign-up now", field: "hours") }
        try await db.query("UPDATE signups SET hours_reported = \(hours)::numeric WHERE id = \(signupID)")
    }

    public struct Pending: Sendable, Equatable {
        public var signupID: Int64
        public var title: Translated
        public var startsAt: Date
        public var endsAt: Date
        public var hoursReported: Double
    }

    /// Reported hours waiting for approval, within the caller's reach, oldest shift first.
    public func pending(scope: StaffScope, limit: Int = 200, on db: PostgresConnection) async throws -> [Pending] {
        try await db.query(
            """
            SELECT s.id, o.title, sh.starts_at, sh.ends_at, s.hours_reported::float8
            FROM signups s JOIN volunteer_shifts sh ON sh.id = s.shift_id JOIN volunteer_opportunities o ON o.id = sh.opportunity_id
            WHERE s.hours_reported IS NOT NULL AND s.hours_approved IS NULL AND s.status IN ('confirmed', 'attended')
              AND (\(scope.schoolList)::text IS NULL OR o.school_id = ANY (string_to_array(\(scope.schoolList), ',')::bigint[]))
              AND (\(scope.initiativeList)::text IS NULL OR o.initiative_id = ANY (string_to_array(\(scope.initiativeList), ',')::bigint[]))
            ORDER BY sh.starts_at, s.id LIMIT \(limit)
            """
        ).map { row in
            let (id, title, startsAt, endsAt, hours) = try row.decode((Int64, PostgresJSON<Translated>, Date, Date, Double).self)
            return Pending(signupID: id, title: title.value, startsAt: startsAt, endsAt: endsAt, hoursReported: hours)
        }
    }

    /// Messages asking for hours, once per sign-up, when its shift has ended (within the window).
    @discardableResult
    public func schedule(now: Date = Date(), on db: PostgresConnection) async throws -> Int {
        let due = try await db.query(
            """
            SELECT s.id, s.participant_id FROM signups s
            JOIN volunteer_shifts sh ON sh.id = s.shift_id JOIN volunteer_opportunities o ON o.id = sh.opportunity_id
            WHERE s.status IN ('confirmed', 'attended') AND s.participant_id IS NOT NULL AND s.hours_reported IS NULL
                AND s.hours_approved IS NULL AND sh.cancelled_at IS NULL AND o.cancelled_at IS NULL
                AND sh.ends_at <= \(now) AND sh.ends_at > \(now)::timestamptz - interval '2 days'
                AND NOT EXISTS (SELECT 1 FROM outbox m WHERE m.dedupe_key LIKE 'hours:signup:' || s.id || ':%')
            ORDER BY sh.ends_at LIMIT 1000
            """
        ).map { try $0.decode((Int64, Int64).self) }
        return try await Outbox().enqueueEach(
            due,
            purpose: .volunteering,
            template: "signup_hours",
            key: "signup",
            dedupePrefix: "hours:signup:",
            on: db
        )
    }
}
