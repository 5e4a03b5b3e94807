import Foundation
import Postgres
import Synchronization

/// Where scorecards and results are read (issue 18): a streaming replica (`DATABASE_READ_URL`)
/// while it answers and is at most `maximumLag` seconds behind, else the primary. A replica that
/// lags or goes away costs the primary some reads, never an error: scorecards stay available,
/// and never older than the bound. `fallbacks` counts the reads the primary took over.
public struct ReplicaReads: Sendable {
    let primary: Store
    let replica: Store?
    let maximumLag: Double
    let counter = FallbackCounter()

    public init(primary: Store, replica: Store?, maximumLag: Double = 30) {
        self.primary = primary
        self.replica = replica
        self.maximumLag = maximumLag
    }

    /// Reads taken over by the primary since start (`/metrics`).
    public var fallbacks: Int { counter.value }

    struct Behind: Error {}

    /// One REPEATABLE READ snapshot, on the replica if it is fresh enough.
    public func snapshot<T: Sendable>(_ body: (Store.Connection) async throws -> T) async throws -> T {
        guard let replica else { return try await primary.snapshot(body) }
        do {
            return try await replica.snapshot { db in
                guard let lag = try await Self.lag(on: db), lag <= maximumLag else { throw Behind() }
                return try await body(db)
            }
        } catch is Behind {
            counter.add()
        } catch let error as PostgresError where error.isConnectionFailure || error.code == .acquireTimeout || error.sqlState == "40001" {
            // 40001 on a standby: a query cancelled by a conflict with recovery.
            counter.add()
        }
        return try await primary.snapshot(body)
    }

    /// Seconds the server is behind its primary: 0 on a primary, or on a standby that has
    /// replayed all it received (an idle primary sends nothing, so the last replay's age alone
    /// would grow forever); else the age of the last transaction replayed.
    static func lag(on db: PostgresConnection) async throws -> Double? {
        try await db.query(
            """
            SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0::float8
                        WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0::float8
                        ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END
            """
        ).one().decode(Double?.self, at: 0)
    }
}

final class FallbackCounter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
