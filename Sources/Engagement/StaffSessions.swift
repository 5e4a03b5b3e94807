import Foundation
import Postgres

/// Where staff sessions live (Schema/0013 `staff_sessions`): keyed by the SHA-256 of the session
/// id, so a copy of the table signs nobody in. Server's session driver (hummingbird-auth's
/// PersistDriver) stores through here; every server reads the same rows.
public struct StaffSessions: Sendable {
    public init() {}

    /// What a session holds: the account, and when it signed in.
    public struct Session: Sendable, Codable, Equatable {
        public var accountID: Int64
        public var signedInAt: Date

        public init(accountID: Int64, signedInAt: Date = Date()) {
            self.accountID = accountID
            self.signedInAt = signedInAt
        }

        enum CodingKeys: String, CodingKey {
            case accountID = "account_id"
            case signedInAt = "signed_in_at"
        }
    }

    /// Stores a value (JSON) under a key until `expires` seconds from now; `create` refuses a
    /// key that exists.
    public func set(key: String, json: String, expires: TimeInterval, create: Bool, on db: PostgresConnection) async throws {
        let inserted = try await db.query(
            """
            INSERT INTO staff_sessions (key_hash, value, expires_at)
            VALUES (\(Tokens.hash(key)), \(json)::jsonb, now() + make_interval(secs => \(expires)))
            ON CONFLICT (key_hash) DO NOTHING
            """
        ).affectedRows
        guard inserted == 0 else { return }
        if create { throw EngagementError.conflict("a session with this key exists") }
        try await db.query(
            """
            UPDATE staff_sessions SET value = \(json)::jsonb, expires_at = now() + make_interval(secs => \(expires))
            WHERE key_hash = \(Tokens.hash(key))
            """
        )
    }

    /// The value under a key, and the seconds it has left, while it has not expired.
    public func get(key: String, on db: PostgresConnection) async throws -> (json: String, ttl: TimeInterval)? {
        guard
            let row = try await db.query(
                """
                SELECT value::text, extract(epoch FROM expires_at - now())::float8 FROM staff_sessions
                WHERE key_hash = \(Tokens.hash(key)) AND expires_at > now()
                """
            ).first
        else { return nil }
        let (json, ttl) = try row.decode((String, Double).self)
        return (json, ttl)
    }

    public func remove(key: String, on db: PostgresConnection) async throws {
        try await db.query("DELETE FROM staff_sessions WHERE key_hash = \(Tokens.hash(key))")
    }

    /// Drops expired sessions and sign-in failures past the throttle window (maintenance).
    public func purge(on db: PostgresConnection) async throws {
        try await db.query("DELETE FROM staff_sessions WHERE expires_at <= now()")
        try await db.query("DELETE FROM sign_in_failures WHERE at < now() - make_interval(secs => \(StaffAccounts.throttleWindow * 4))")
    }
}
