import Crypto
import Foundation
import Postgres

/// Personal contact details offered with a submission. Stored only with consent, in
/// `participant_contacts`; the participant row keeps only an HMAC of the normalized email or
/// phone, so reach counts people without knowing who they are.
public struct ContactDetails: Sendable, Equatable {
    public var name: String?
    public var email: String?
    public var phone: String?
    public var consent: Bool
    /// Text messages to the phone, too (opt-in on its own: texts cost and interrupt).
    public var textMessages: Bool

    public init(name: String? = nil, email: String? = nil, phone: String? = nil, consent: Bool, textMessages: Bool = false) {
        self.name = name
        self.email = email
        self.phone = phone
        self.consent = consent
        self.textMessages = textMessages
    }

    /// Lowercased, trimmed email; or the phone's digits (a leading + kept).
    public var normalizedIdentity: String? {
        if let email = email?.trimmingCharacters(in: .whitespacesAndNewlines).lowercased(), !email.isEmpty {
            return "email:" + email
        }
        if let phone {
            let digits = phone.filter(\.isNumber)
            if digits.count >= 7 { return "phone:" + (phone.trimmingCharacters(in: .whitespaces).hasPrefix("+") ? "+" : "") + digits }
        }
        return nil
    }

    public func validate(_ validator: inout Validator, field: String) {
        validator.text(name, field + ".name", max: 200)
        validator.text(email, field + ".email", max: 254)
        validator.text(phone, field + ".phone", max: 40)
        if let email, !email.isEmpty {
            let parts = email.split(separator: "@")
            if parts.count != 2 || !parts[1].contains(".") || email.contains(" ") {
                validator.add(field + ".email", "must be an email address")
            }
        }
        if let phone, !phone.isEmpty, phone.filter(\.isNumber).count < 7 {
            validator.add(field + ".phone", "must have at least 7 digits")
        }
        if normalizedIdentity == nil {
            validator.add(field, "needs an email or a phone number")
        }
        if !consent {
            validator.add(field + ".consent", "must be true to leave contact details")
        }
    }
}

/// Finds or creates the participant for contact details and stores them (they consented).
public struct Participants: Sendable {
    /// How long contact details are kept after the last time someone gave them.
    public var retention: Duration = .seconds(2 * 365 * 86_400)

    public init() {}

    public func participant(for contact: ContactDetails, on connection: PostgresConnection) async throws -> Int64 {
        guard let identity = contact.normalizedIdentity, contact.consent else {
            throw EngagementError.invalid("contact", "needs an email or phone and consent")
        }
        let key = try await hmacKey(connection)
        let hash = Data(HMAC<SHA256>.authenticationCode(for: Data(identity.utf8), using: SymmetricKey(data: key)))
        let row = try await connection.query(
            """
            WITH inserted AS (
                INSERT INTO participants (contact_hash) VALUES (\(hash))
                ON CONFLICT (contact_hash) DO NOTHING RETURNING id
            )
            SELECT id FROM inserted UNION ALL SELECT id FROM participants WHERE contact_hash = \(hash) LIMIT 1
            """
        ).one()
        let id = try row.decode(Int64.self, at: 0)
        let retainUntil = Date().addingTimeInterval(Double(retention.components.seconds))
        try await connection.query(
            """
            INSERT INTO participant_contacts (participant_id, name, email, phone, retain_until)
            VALUES (\(id), \(contact.name), \(contact.email), \(contact.phone), \(retainUntil)::date)
            ON CONFLICT (participant_id) DO UPDATE SET
                name = coalesce(excluded.name, participant_contacts.name),
                email = coalesce(excluded.email, participant_contacts.email),
                phone = coalesce(excluded.phone, participant_contacts.phone),
                consented_at = now(), retain_until = excluded.retain_until
            """
        )
        return id
    }

    /// The HMAC key: created once, randomly, and kept in `settings` (a deployment may rotate it by
    /// migration; rotating breaks the link between old and new participants, by design).
    func hmacKey(_ connection: PostgresConnection) async throws -> Data {
        try await DistrictSecrets.key(DistrictSecrets.contactKey, on: connection)
    }
}
