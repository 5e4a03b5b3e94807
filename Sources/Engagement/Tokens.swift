import Crypto
import Foundation
import Postgres

/// API tokens: random, shown once, stored as SHA-256, revocable.
public struct Tokens: Sendable {
    public struct Token: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var role: Role
        public var createdAt: Date
        public var revokedAt: Date?
    }

    /// Who is calling: a token's id and role.
    public struct Principal: Sendable, Equatable {
        public var tokenID: Int64
        public var role: Role

        public init(tokenID: Int64, role: Role) {
            self.tokenID = tokenID
            self.role = role
        }
    }

    public init() {}

    /// Returns the new token's record and its secret, which is never stored.
    public func create(name: String, role: Role, on client: PostgresClient) async throws -> (Token, String) {
        var validator = Validator()
        validator.text(name, "name", min: 1, max: 100)
        try validator.check()
        let secret = "chorus_" + Self.randomHex()
        let row = try await client.query(
            """
            INSERT INTO api_tokens (name, role, token_hash) VALUES (\(name), \(role.rawValue)::api_role, \(Self.hash(secret)))
            RETURNING id, created_at
            """
        ).one()
        let (id, createdAt) = try row.decode((Int64, Date).self)
        return (Token(id: id, name: name, role: role, createdAt: createdAt, revokedAt: nil), secret)
    }

    public func list(on client: PostgresClient) async throws -> [Token] {
        try await client.query("SELECT id, name, role::text, created_at, revoked_at FROM api_tokens ORDER BY id").map { row in
            let (id, name, role, createdAt, revokedAt) = try row.decode((Int64, String, String, Date, Date?).self)
            return Token(id: id, name: name, role: Role(rawValue: role) ?? .liaison, createdAt: createdAt, revokedAt: revokedAt)
        }
    }

    /// Revokes by id; returns whether a live token was revoked.
    /// The holder of a token that is still valid, by its id (a signed-in page session).
    public func principal(tokenID: Int64, on store: Store) async throws -> Principal? {
        guard let row = try await store.client.query("SELECT role::text FROM api_tokens WHERE id = \(tokenID) AND revoked_at IS NULL").first,
            let role = Role(rawValue: try row.decode(String.self, at: 0))
        else { return nil }
        return Principal(tokenID: tokenID, role: role)
    }

    public func revoke(id: Int64, on client: PostgresClient) async throws -> Bool {
        try await client.query("UPDATE api_tokens SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL").affectedRows == 1
    }

    /// The principal for a bearer secret, or `nil` when unknown or revoked.
    public func authenticate(_ secret: String, on store: Store) async throws -> Principal? {
        guard secret.utf8.count <= 200 else { return nil }
        let rows = try await store.client.query(
            "SELECT id, role::text FROM api_tokens WHERE token_hash = \(Self.hash(secret)) AND revoked_at IS NULL"
        )
        guard let row = rows.first else { return nil }
        let (id, role) = try row.decode((Int64, String).self)
        return Role(rawValue: role).map { Principal(tokenID: id, role: $0) }
    }

    /// 32 random bytes as hex: the secret of a token, a one-time link.
    static func randomHex() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// How a secret is stored and looked up (tokens, one-time links, session ids): its SHA-256.
    static func hash(_ secret: String) -> Data {
        Data(SHA256.hash(data: Data(secret.utf8)))
    }
}

/// Contact details for administrators, each read written to `pii_access_log`.
public struct Contacts: Sendable {
    public init() {}

    public func contact(participantID: Int64, readBy tokenID: Int64, on db: PostgresConnection) async throws -> Contact {
        guard
            let row = try await db.query(
                """
                SELECT participant_id, name, email, phone, consented_at, retain_until::text
                FROM participant_contacts WHERE participant_id = \(participantID)
                """
            ).first
        else { throw EngagementError.notFound("contact details") }
        try await db.query(
            "INSERT INTO pii_access_log (token_id, participant_id, action) VALUES (\(tokenID), \(participantID), 'read contact')"
        )
        let (id, name, email, phone, consentedAt, retainUntil) = try row.decode((Int64, String?, String?, String?, Date, String).self)
        return Contact(participantID: id, name: name, email: email, phone: phone, consentedAt: consentedAt, retainUntil: retainUntil)
    }
}
