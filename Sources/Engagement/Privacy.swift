import Crypto
import Foundation
import Postgres

/// A person's rights over their data, found by the email or phone they gave: export everything
/// linked to them; erase their contact details and unlink their records (the records stay, as
/// anonymous, so aggregates do not change); and purge contact details past their retention date.
public struct Privacy: Sendable {
    public init() {}

    /// The participant for an email or phone, or nil when none was ever recorded.
    public func participant(contact: String, on db: PostgresConnection) async throws -> Int64? {
        let details = contact.contains("@") ? ContactDetails(email: contact, consent: true) : ContactDetails(phone: contact, consent: true)
        guard let identity = details.normalizedIdentity else { throw EngagementError.invalid("contact", "is neither an email nor a phone number") }
        let key = try await Participants().hmacKey(db)
        let hash = Data(HMAC<SHA256>.authenticationCode(for: Data(identity.utf8), using: SymmetricKey(data: key)))
        return try await db.query("SELECT id FROM participants WHERE contact_hash = \(hash)").first?.decode(Int64.self, at: 0)
    }

    public struct Export: Sendable, Codable {
        public var participantID: Int64
        public var contact: [String: String]
        public var responses: [[String: String]]
        public var feedback: [[String: String]]
        public var attendance: [[String: String]]
        public var signups: [[String: String]]
        enum CodingKeys: String, CodingKey {
            case contact, responses, feedback, attendance, signups
            case participantID = "participant_id"
        }
    }

    /// Everything linked to the person, logged in `pii_access_log` as read by `actor`.
    public func export(contact: String, actor: String, on db: PostgresConnection) async throws -> Export {
        guard let id = try await participant(contact: contact, on: db) else { throw EngagementError.notFound("person with this contact") }
        func rows(_ query: PostgresQuery) async throws -> [[String: String]] {
            try await db.query(query).map { row in
                var fields: [String: String] = [:]
                for (index, column) in row.columns.enumerated() {
                    if let value = try row.decode(String?.self, at: index) { fields[column.name] = value }
                }
                return fields
            }
        }
        let contactRow = try await rows(
            "SELECT name, email, phone, consented_at::text AS consented_at, retain_until::text AS retain_until FROM participant_contacts WHERE participant_id = \(id)"
        )
        let export = Export(
            participantID: id,
            contact: contactRow.first ?? [:],
            responses: try await rows(
                """
                SELECT r.id::text AS id, r.survey_id::text AS survey_id, r.submitted_at::text AS submitted_at,
                       string_agg(coalesce(a.text, a.number::text, array_to_string(a.choices, ';')), ' | ' ORDER BY a.question_id) AS answers
                FROM responses r LEFT JOIN answers a ON a.response_id = r.id WHERE r.participant_id = \(id) GROUP BY r.id ORDER BY r.id
                """
            ),
            feedback: try await rows(
                "SELECT id::text AS id, initiative_id::text AS initiative_id, comment, created_at::text AS created_at FROM feedback WHERE participant_id = \(id) ORDER BY id"
            ),
            attendance: try await rows(
                "SELECT id::text AS id, event_id::text AS event_id, recorded_at::text AS recorded_at FROM attendance WHERE participant_id = \(id) ORDER BY id"
            ),
            signups: try await rows(
                "SELECT id::text AS id, shift_id::text AS shift_id, status::text AS status FROM signups WHERE participant_id = \(id) ORDER BY id"
            )
        )
        try await db.query("INSERT INTO pii_access_log (participant_id, action, actor) VALUES (\(id), 'export', \(actor))")
        return export
    }

    public struct Erasure: Sendable, Equatable {
        public var participantID: Int64
        public var unlinkedRecords: Int
    }

    /// Deletes the contact details and the participant, leaving their records anonymous.
    public func erase(contact: String, actor: String, on db: PostgresConnection) async throws -> Erasure {
        guard let id = try await participant(contact: contact, on: db) else { throw EngagementError.notFound("person with this contact") }
        var unlinked = 0
        for table in ["responses", "feedback", "attendance", "signups"] {
            unlinked += try await db.query(
                PostgresQuery(unsafeSQL: "UPDATE \(table) SET participant_id = NULL WHERE participant_id = $1").bound(id)
            ).affectedRows
        }
        try await db.query("DELETE FROM participants WHERE id = \(id)")  // cascades to participant_contacts
        try await db.query("INSERT INTO pii_access_log (participant_id, action, actor) VALUES (\(id), 'erase', \(actor))")
        return Erasure(participantID: id, unlinkedRecords: unlinked)
    }

    /// Deletes contact details whose retention date has passed; returns how many.
    @discardableResult
    public func purgeExpired(on client: PostgresClient) async throws -> Int {
        try await client.query("DELETE FROM participant_contacts WHERE retain_until < current_date").affectedRows
    }
}
