import Foundation
import Postgres

/// Reminders before shifts: every confirmed sign-up whose shift starts within its opportunity's
/// lead time (`reminder_hours`, 24 by default, NULL for none) gets one, once (the outbox's
/// dedupe key). Run every minute by each worker; a second run, or a second worker, adds nothing.
public struct VolunteerReminders: Sendable {
    public init() {}

    @discardableResult
    public func schedule(now: Date = Date(), on db: PostgresConnection) async throws -> Int {
        let due = try await db.query(
            """
            SELECT s.id, s.participant_id FROM signups s
            JOIN volunteer_shifts sh ON sh.id = s.shift_id JOIN volunteer_opportunities o ON o.id = sh.opportunity_id
            WHERE s.status = 'confirmed' AND s.participant_id IS NOT NULL AND o.reminder_hours IS NOT NULL
                AND sh.cancelled_at IS NULL AND o.cancelled_at IS NULL
                AND sh.starts_at > \(now) AND sh.starts_at <= \(now)::timestamptz + o.reminder_hours * interval '1 hour'
                AND NOT EXISTS (SELECT 1 FROM outbox m WHERE m.dedupe_key LIKE 'reminder:signup:' || s.id || ':%')
            ORDER BY sh.starts_at LIMIT 1000
            """
        ).map { try $0.decode((Int64, Int64).self) }
        return try await Outbox().enqueueEach(
            due,
            purpose: .volunteering,
            template: "signup_reminder",
            key: "signup",
            dedupePrefix: "reminder:signup:",
            on: db
        )
    }
}
