import Crypto
import Foundation
import Postgres

/// API tokens: random, shown once, stored as SHA-256, revocable. A token belongs to a staff
/// account and acts with its role and scope; tokens made before accounts carry a role.
public struct Tokens: Sendable {
    public struct Token: Sendable, Equatable {
        public var id: Int64
        public var name: String
        /// The role of an unowned token; an owned one has its account's.
        public var role: Role?
        public var accountID: Int64?
        public var createdAt: Date
        public var lastUsedAt: Date?
        public var revokedAt: Date?
    }

    public init() {}

    /// Returns the new token's record and its secret, which is never stored. `owner` is an
    /// account; without one the token carries `role` (the older, district-wide kind).
    public func create(
        name: String,
        owner accountID: Int64? = nil,
        role: Role? = nil,
        by actor: Audit.Actor,
        on db: PostgresConnection
    ) async throws -> (Token, String) {
        var validator = Validator()
        validator.text(name, "name", min: 1, max: 100)
        if (accountID == nil) == (role == nil) { validator.add("account", "a token belongs to an account or has a role, not both") }
        try validator.check()
        let secret = "chorus_" + Self.randomHex()
        let row = try await db.query(
            """
            INSERT INTO api_tokens (name, role, account_id, token_hash)
            VALUES (\(name), \(role?.rawValue)::api_role, \(accountID), \(Self.hash(secret)))
            RETURNING id, created_at
            """
        ).one()
        let (id, createdAt) = try row.decode((Int64, Date).self)
        var values: [String: JSONValue] = ["name": .string(name)]
        if let accountID { values["account_id"] = .number(Double(accountID)) }
        if let role { values["role"] = .string(role.rawValue) }
        try await Audit().record("create", "api_token", id: String(id), new: values, by: actor, on: db)
        return (Token(id: id, name: name, role: role, accountID: accountID, createdAt: createdAt, revokedAt: nil), secret)
    }

    /// Every token, or an account's.
    public func list(accountID: Int64? = nil, on db: PostgresConnection) async throws -> [Token] {
        try await db.query(
            """
            SELECT id, name, role::text, account_id, created_at, last_used_at, revoked_at FROM api_tokens
            WHERE \(accountID)::bigint IS NULL OR account_id = \(accountID) ORDER BY id
            """
        ).map { row in
            let (id, name, role, accountID, createdAt, lastUsedAt, revokedAt) = try row.decode(
                (Int64, String, String?, Int64?, Date, Date?, Date?).self
            )
            return Token(
                id: id,
                name: name,
                role: role.flatMap(Role.init(rawValue:)),
                accountID: accountID,
                createdAt: createdAt,
                lastUsedAt: lastUsedAt,
                revokedAt: revokedAt
            )
        }
    }

    /// Revokes by id (only `accountID`'s when given); returns whether a live token was revoked.
    public func revoke(id: Int64, accountID: Int64? = nil, by actor: Audit.Actor, on db: PostgresConnection) async throws -> Bool {
        let revoked =
            try await db.query(
                """
                UPDATE api_tokens SET revoked_at = now()
                WHERE id = \(id) AND revoked_at IS NULL AND (\(accountID)::bigint IS NULL OR account_id = \(accountID))
                """
            ).affectedRows == 1
        if revoked { try await Audit().record("revoke", "api_token", id: String(id), by: actor, on: db) }
        return revoked
    }

    /// The principal for a bearer secret, or `nil` when unknown, revoked or its account inactive.
    public func authenticate(_ secret: String, on store: Store) async throws -> Principal? {
        guard secret.utf8.count <= 200 else { return nil }
        return try await StaffAccess().principal(tokenHash: Self.hash(secret), on: store.client)
    }

    /// The holder of a token that is still valid, by its id (a signed-in page session).
    public func principal(tokenID: Int64, on store: Store) async throws -> Principal? {
        try await StaffAccess().principal(tokenID: tokenID, on: store.client)
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

    public func contact(participantID: Int64, readBy reader: Principal, on db: PostgresConnection) async throws -> Contact {
        guard
            let row = try await db.query(
                """
                SELECT participant_id, name, email, phone, consented_at, retain_until::text
                FROM participant_contacts WHERE participant_id = \(participantID)
                """
            ).first
        else { throw EngagementError.notFound("contact details") }
        try await db.query(
            """
            INSERT INTO pii_access_log (token_id, account_id, participant_id, action)
            VALUES (\(reader.tokenID), \(reader.accountID), \(participantID), 'read contact')
            """
        )
        let (id, name, email, phone, consentedAt, retainUntil) = try row.decode((Int64, String?, String?, String?, Date, String).self)
        return Contact(participantID: id, name: name, email: email, phone: phone, consentedAt: consentedAt, retainUntil: retainUntil)
    }
}
