import Foundation
import Postgres

/// Token buckets every server shares (issue 18): a public submission counts against its
/// client's bucket in PostgreSQL, so two servers (or ten) allow together what one allows. Each
/// server's in-memory limiter still runs first, so a flood is refused before it reaches the
/// database. The key is the caller's keyed hash of the client's address, never the address.
public struct SharedLimits: Sendable {
    public init() {}

    /// Takes one token from `client`'s bucket (refilled at `perMinute`, holding at most `burst`)
    /// in one statement; false when the bucket is empty. The row is written only when a token is
    /// taken, so a client being refused does not keep its bucket from refilling.
    public func take(_ key: Data, perMinute: Double, burst: Double, on db: PostgresConnection) async throws -> Bool {
        let rate = perMinute / 60
        return try await db.query(
            """
            INSERT INTO rate_buckets AS b (key, tokens, updated_at) VALUES (\(key), \(burst)::float8 - 1, clock_timestamp())
            ON CONFLICT (key) DO UPDATE
                SET tokens = least(\(burst)::float8, b.tokens + extract(epoch FROM clock_timestamp() - b.updated_at)::float8 * \(rate)::float8) - 1,
                    updated_at = clock_timestamp()
                WHERE least(\(burst)::float8, b.tokens + extract(epoch FROM clock_timestamp() - b.updated_at)::float8 * \(rate)::float8) >= 1
            RETURNING 1
            """
        ).first != nil
    }

    /// Forgets buckets full again for an hour (maintenance).
    public func purge(on db: PostgresConnection) async throws {
        try await db.query("DELETE FROM rate_buckets WHERE updated_at < now() - interval '1 hour'")
    }
}
