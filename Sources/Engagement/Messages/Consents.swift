import Foundation
import Postgres

/// What a person may be written to about (docs/messages.md).
public enum ContactPurpose: String, Sendable, Codable, CaseIterable {
    case volunteering, events, surveys, replies, updates, alerts
}

public enum ContactChannel: String, Sendable, Codable, CaseIterable {
    case email, sms
}

/// Consent per purpose and channel. The consent box of a form covers what the form is about
/// (a sign-up: volunteering), by email when an email was given, by text message only when the
/// person ticked that too.
public struct Consents: Sendable {
    public init() {}

    /// Records consent (again) and the language the person wrote in.
    public func grant(
        participantID: Int64,
        purpose: ContactPurpose,
        contact: ContactDetails,
        language: String,
        on db: PostgresConnection
    ) async throws {
        var channels: [String] = []
        if let email = contact.email, !email.isEmpty { channels.append(ContactChannel.email.rawValue) }
        if contact.textMessages, let phone = contact.phone, !phone.isEmpty { channels.append(ContactChannel.sms.rawValue) }
        try await db.query("UPDATE participant_contacts SET language = \(language) WHERE participant_id = \(participantID)")
        try await db.query(
            """
            INSERT INTO contact_consents (participant_id, purpose, channel)
            SELECT \(participantID), \(purpose.rawValue)::contact_purpose, c::contact_channel FROM unnest(\(channels)::text[]) c
            ON CONFLICT (participant_id, purpose, channel) DO UPDATE SET granted_at = now(), withdrawn_at = NULL
            """
        )
    }

    /// An unsubscribe: withdraws the purpose on every channel. Returns how many were active.
    @discardableResult
    public func withdraw(participantID: Int64, purpose: ContactPurpose, on db: PostgresConnection) async throws -> Int {
        let withdrawn = try await db.query(
            """
            UPDATE contact_consents SET withdrawn_at = now()
            WHERE participant_id = \(participantID) AND purpose = \(purpose.rawValue)::contact_purpose AND withdrawn_at IS NULL
            """
        ).affectedRows
        // Messages not yet sent for that purpose are not sent.
        try await db.query(
            """
            UPDATE outbox SET state = 'suppressed', reason = 'unsubscribed'
            WHERE participant_id = \(participantID) AND purpose = \(purpose.rawValue)::contact_purpose AND state IN ('pending', 'held')
            """
        )
        return withdrawn
    }

    /// The one-click unsubscribe of a message's link: withdraws that message's purpose for its
    /// person. Returns the purpose, or nil when the message names nobody any more (erased).
    public func unsubscribe(messageID: Int64, on db: PostgresConnection) async throws -> ContactPurpose? {
        guard let row = try await db.query("SELECT participant_id, purpose::text FROM outbox WHERE id = \(messageID)").first else { return nil }
        let (participant, purposeName) = try row.decode((Int64?, String).self)
        guard let participant, let purpose = ContactPurpose(rawValue: purposeName) else { return nil }
        try await withdraw(participantID: participant, purpose: purpose, on: db)
        return purpose
    }
}
