import Foundation
import Jobs
import Postgres

/// Messages to people, written in the transaction that causes them (a sign-up writes its
/// confirmation), one per channel the person consented to for the purpose, each with the job
/// that delivers it (`MessageDelivery`). Without consent nothing is written.
public struct Outbox: Sendable {
    public static let deliveryKind = "deliver_message"

    public struct Message: Sendable {
        public var participantID: Int64
        public var purpose: ContactPurpose
        public var template: String
        /// Ids and public facts the template needs (no personal data).
        public var data: [String: String]
        /// One message per cause: a second enqueue with the same key adds nothing.
        public var dedupeKey: String?

        public init(participantID: Int64, purpose: ContactPurpose, template: String, data: [String: String], dedupeKey: String? = nil) {
            self.participantID = participantID
            self.purpose = purpose
            self.template = template
            self.data = data
            self.dedupeKey = dedupeKey
        }
    }

    struct Delivery: Codable, Sendable {
        var message: Int64
    }

    public init() {}

    /// The messages written (none without a consent that holds), in the caller's transaction.
    @discardableResult
    public func enqueue(_ message: Message, on db: PostgresConnection) async throws -> [Int64] {
        let data = String(decoding: try JSONEncoder().encode(message.data), as: UTF8.self)
        let ids = try await db.query(
            """
            INSERT INTO outbox (participant_id, channel, purpose, template, language, data, dedupe_key)
            SELECT c.participant_id, k.channel, k.purpose, \(message.template), c.language, \(data)::jsonb,
                   \(message.dedupeKey) || ':' || k.channel::text
            FROM participant_contacts c
            JOIN contact_consents k ON k.participant_id = c.participant_id AND k.withdrawn_at IS NULL
                AND k.purpose = \(message.purpose.rawValue)::contact_purpose
            WHERE c.participant_id = \(message.participantID)
                AND ((k.channel = 'email' AND c.email IS NOT NULL AND c.email_undeliverable_at IS NULL) OR (k.channel = 'sms' AND c.phone IS NOT NULL AND c.phone_undeliverable_at IS NULL))
            ON CONFLICT (dedupe_key) DO NOTHING
            RETURNING id
            """
        ).map { try $0.decode(Int64.self, at: 0) }
        for id in ids { try await Self.push(id, on: db) }
        return ids
    }

    /// A critical case's alert to each active account that receives alerts, by email, in the
    /// district's language: a link to the case, never its words. Staff accounts need no consent
    /// row; turning alerts off in the console stops them, before delivery too.
    @discardableResult
    public func enqueueAlert(caseID: Int64, on db: PostgresConnection) async throws -> Int {
        let ids = try await db.query(
            """
            INSERT INTO outbox (account_id, channel, purpose, template, language, data, dedupe_key)
            SELECT a.id, 'email', 'alerts', 'case_alert', (SELECT default_language FROM district_settings),
                   jsonb_build_object('case', \(String(caseID))::text), 'alert:' || \(String(caseID))::text || ':' || a.id
            FROM staff_accounts a WHERE a.active AND a.receives_alerts
            ON CONFLICT (dedupe_key) DO NOTHING
            RETURNING id
            """
        ).map { try $0.decode(Int64.self, at: 0) }
        for id in ids { try await Self.push(id, on: db) }
        return ids.count
    }

    /// One message each for scheduled causes (a sign-up, an RSVP) and their people, keyed
    /// `dedupePrefix + id` so a second run writes nothing. Returns how many were written.
    func enqueueEach(
        _ due: [(Int64, Int64)],
        purpose: ContactPurpose,
        template: String,
        key: String,
        dedupePrefix: String,
        on db: PostgresConnection
    ) async throws -> Int {
        var written = 0
        for (cause, participant) in due {
            written += try await enqueue(
                .init(
                    participantID: participant,
                    purpose: purpose,
                    template: template,
                    data: [key: "\(cause)"],
                    dedupeKey: dedupePrefix + "\(cause)"
                ),
                on: db
            ).count
        }
        return written
    }

    static func push(_ id: Int64, on db: PostgresConnection) async throws {
        try await JobQueue().push(
            kind: deliveryKind,
            payload: Delivery(message: id),
            options: .init(maxAttempts: 8, uniqueKey: "message:\(id)"),
            on: db
        )
    }

    /// Messages kept while no transport was configured go out once one is: called by workers
    /// that have one. Returns how many were released.
    @discardableResult
    public func releaseHeld(channels: [ContactChannel], on db: PostgresConnection) async throws -> Int {
        let ids = try await db.query(
            """
            UPDATE outbox SET state = 'pending', reason = NULL
            WHERE state = 'held' AND channel::text = ANY(\(channels.map(\.rawValue))::text[]) RETURNING id
            """
        ).map { try $0.decode(Int64.self, at: 0) }
        for id in ids { try await Self.push(id, on: db) }
        return ids.count
    }

    /// What staff see of the outbox: no addresses, no names.
    public struct Entry: Sendable, Equatable, Codable {
        public var id: Int64
        public var channel: String
        public var purpose: String
        public var template: String
        public var language: String
        public var state: String
        public var reason: String?
        public var attempts: Int
        public var createdAt: Date
        public var sentAt: Date?
    }

    public func recent(state: String?, limit: Int, on db: PostgresConnection) async throws -> [Entry] {
        try await db.query(
            """
            SELECT id, channel::text, purpose::text, template, language, state::text, reason, attempts, created_at, sent_at
            FROM outbox WHERE (\(state)::text IS NULL OR state::text = \(state)) ORDER BY id DESC LIMIT \(limit)
            """
        ).map { row in
            let (id, channel, purpose, template, language, state, reason, attempts, created, sent) = try row.decode(
                (Int64, String, String, String, String, String, String?, Int, Date, Date?).self
            )
            return Entry(
                id: id,
                channel: channel,
                purpose: purpose,
                template: template,
                language: language,
                state: state,
                reason: reason,
                attempts: attempts,
                createdAt: created,
                sentAt: sent
            )
        }
    }

    /// Counts per state, for the staff page and /metrics.
    public func counts(on db: PostgresConnection) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await db.query("SELECT state::text, count(*)::int FROM outbox GROUP BY 1") {
            let (state, n) = try row.decode((String, Int).self)
            counts[state] = n
        }
        return counts
    }
}
