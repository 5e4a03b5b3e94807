import Foundation
import Postgres

/// `Idempotency-Key` for POSTs. The key is claimed, the work done and the answer stored in one
/// transaction, so a 2xx and its replayable answer commit together. A concurrent request with the
/// same key waits on the key's row and then replays the stored answer; the same key with a
/// different request (another `requestHash`) is refused. Keys live 24 hours. Failed requests
/// store nothing, so they can be retried.
public struct IdempotencyKeys: Sendable {
    public init() {}

    /// Runs `work` once per (scope, key): the first time in this transaction, afterwards the
    /// stored answer. No key: just `work`, in a transaction.
    public func run<Output: Codable & Sendable>(
        key: String?,
        scope: String,
        requestHash: Data,
        on store: Store,
        _ work: (PostgresConnection) async throws -> Output
    ) async throws -> Output {
        try await store.transaction { db in
            guard let key else { return try await work(db) }
            guard (1...200).contains(key.utf8.count), !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw EngagementError.invalid("Idempotency-Key", "must be 1 to 200 printable characters")
            }
            try await db.query(
                "DELETE FROM idempotency_keys WHERE scope = \(scope) AND key = \(key) AND created_at < now() - interval '24 hours'"
            )
            let claimed = try await db.query(
                """
                INSERT INTO idempotency_keys (scope, key, request_hash, status, response) VALUES (\(scope), \(key), \(requestHash), 0, 'null')
                ON CONFLICT (scope, key) DO NOTHING RETURNING 1
                """
            )
            if claimed.isEmpty {
                // Another request holds or held this key; its transaction has finished by now.
                let row = try await db.query(
                    "SELECT request_hash, response FROM idempotency_keys WHERE scope = \(scope) AND key = \(key)"
                ).one()
                guard try row.decode(Data.self, at: 0) == requestHash else {
                    throw EngagementError.invalid("Idempotency-Key", "was used with a different request body")
                }
                return try row.decode(PostgresJSON<Output>.self, at: 1).value
            }
            let output = try await work(db)
            try await db.query(
                "UPDATE idempotency_keys SET status = 201, response = \(PostgresJSON(output)) WHERE scope = \(scope) AND key = \(key)"
            )
            return output
        }
    }
}
