import Foundation
import Postgres

/// Random keys the whole district shares (every server and worker): made once, on first use,
/// and kept in `settings`. The form and session signing key and the contact HMAC key.
public enum DistrictSecrets {
    public static let formKey = "form_secret"
    public static let contactKey = "contact_hmac_key"
    /// Signs the links in messages (cancel a sign-up, unsubscribe).
    public static let linkKey = "link_key"

    /// The key named `name`, created with 32 random bytes if no process has made it yet.
    public static func key(_ name: String, on connection: PostgresConnection) async throws -> Data {
        var generator = SystemRandomNumberGenerator()
        let fresh = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try await connection.query("INSERT INTO settings (key, value) VALUES (\(name), \(fresh)) ON CONFLICT (key) DO NOTHING")
        return try await connection.query("SELECT value FROM settings WHERE key = \(name)").one().decode(Data.self, at: 0)
    }

    public static func key(_ name: String, on store: Store) async throws -> Data {
        try await store.connection { try await key(name, on: $0) }
    }
}
