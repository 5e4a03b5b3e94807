import NIOPosix

/// A connection leased from the pool to one task. Every call hops onto the pool's thread pool,
/// because libpq blocks.
public struct PostgresConnection: Sendable {
    let handle: PostgresConnectionHandle
    let threadPool: NIOThreadPool

    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        let handle = handle
        return try await threadPool.runIfActive { try handle.execute(query) }
    }

    /// Several statements in one round trip, no parameters (migrations, fixtures).
    public func executeScript(unsafeSQL sql: String) async throws {
        let handle = handle
        try await threadPool.runIfActive { try handle.executeScript(unsafeSQL: sql) }
    }

    /// Runs `body` in a transaction on this connection: COMMIT when it returns, ROLLBACK when it
    /// throws (the error is rethrown).
    @discardableResult
    public func withTransaction<T: Sendable>(
        isolation: PostgresIsolation = .readCommitted,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await executeScript(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.sql); \(PostgresConfiguration.transactionSettings)")
        let value: T
        do {
            value = try await body(self)
        } catch {
            // If the connection is gone the rollback fails too; the pool discards it on release.
            _ = try? await query("ROLLBACK")
            throw error
        }
        try await query("COMMIT")
        return value
    }
}

public enum PostgresIsolation: Sendable {
    case readCommitted, repeatableRead, serializable

    var sql: String {
        switch self {
        case .readCommitted: "READ COMMITTED"
        case .repeatableRead: "REPEATABLE READ"
        case .serializable: "SERIALIZABLE"
        }
    }
}
