import Logging
import NIOConcurrencyHelpers
import NIOPosix
import ServiceLifecycle

/// The connection pool: at most `maximumConnections` libpq connections, lent to one task at a
/// time, with a bounded wait. A `Service`: `run()` keeps it open until graceful shutdown.
///
/// It owns a dedicated `NIOThreadPool` (one thread per connection, plus one for a listener) so
/// blocking libpq calls never run on an event loop or on Swift's cooperative pool.
public final class PostgresClient: Service, Sendable {
    public let configuration: PostgresConfiguration
    let threadPool: NIOThreadPool
    let logger: Logger
    private let state: NIOLockedValueBox<PoolState>

    public init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.threadPool = NIOThreadPool(numberOfThreads: configuration.maximumConnections + 1)
        self.threadPool.start()
        self.state = NIOLockedValueBox(PoolState(maximum: configuration.maximumConnections))
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Closes idle connections, fails waiters and stops the thread pool. Leased connections are
    /// closed when they come back.
    public func close() async {
        let (idle, waiters) = state.withLockedValue { $0.close() }
        for waiter in waiters { waiter.resume(throwing: PostgresError(code: .poolClosed, message: "pool is closed")) }
        for handle in idle { handle.close() }
        try? await threadPool.shutdownGracefully()
    }

    /// Statistics for `/ready` and metrics.
    public var statistics: PoolStatistics {
        state.withLockedValue { PoolStatistics(open: $0.open, idle: $0.idle.count, waiting: $0.waiters.count) }
    }

    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await withConnection { try await $0.query(query) }
    }

    /// Whether the server answers (`SELECT 1` on a pooled connection): readiness checks.
    public func ping() async throws {
        _ = try await query("SELECT 1")
    }

    @discardableResult
    public func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let value = try await body(connection)
            await release(connection)
            return value
        } catch {
            await release(connection)
            throw error
        }
    }

    @discardableResult
    public func withTransaction<T: Sendable>(
        isolation: PostgresIsolation = .readCommitted,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withConnection { try await $0.withTransaction(isolation: isolation, body) }
    }

    // MARK: - Leasing

    func acquire() async throws -> PostgresConnection {
        while true {
            let step = state.withLockedValue { $0.lease() }
            switch step {
            case .closed:
                throw PostgresError(code: .poolClosed, message: "pool is closed")
            case .use(let handle):
                if try await threadPool.runIfActive({ handle.isHealthy() }) {
                    return PostgresConnection(handle: handle, threadPool: threadPool)
                }
                logger.info("replacing broken database connection", metadata: ["db.connection": "\(handle.id)"])
                handle.close()
                return try await connectInReservedSlot()
            case .create:
                return try await connectInReservedSlot()
            case .wait(let id):
                switch try await waitForLease(id) {
                case .connection(let handle):
                    return PostgresConnection(handle: handle, threadPool: threadPool)
                case .slot:
                    return try await connectInReservedSlot()
                }
            }
        }
    }

    func release(_ connection: PostgresConnection) async {
        let handle = connection.handle
        let healthy = (try? await threadPool.runIfActive { handle.isHealthy() }) ?? false
        if !healthy { handle.close() }
        let (waiter, lease) = state.withLockedValue { $0.giveBack(healthy ? handle : nil) }
        if let waiter, let lease { waiter.resume(returning: lease) }
        if state.withLockedValue({ $0.isClosed }) { handle.close() }
    }

    private func connectInReservedSlot() async throws -> PostgresConnection {
        let configuration = configuration
        let id = state.withLockedValue { $0.nextConnectionID() }
        do {
            let handle = try await threadPool.runIfActive {
                try PostgresConnectionHandle(configuration: configuration, id: id)
            }
            return PostgresConnection(handle: handle, threadPool: threadPool)
        } catch {
            // Give the slot back, possibly to a waiter who will try to connect in turn.
            let (waiter, lease) = state.withLockedValue { $0.giveBack(nil) }
            if let waiter, let lease { waiter.resume(returning: lease) }
            throw error
        }
    }

    /// Waits for a released connection or a free slot, up to the acquire timeout. A lease that
    /// arrives together with the timeout is used rather than leaked.
    private func waitForLease(_ id: Int) async throws -> PoolLease {
        let timeout = configuration.acquireTimeout
        return try await withThrowingTaskGroup(of: PoolLease?.self) { group in
            group.addTask {
                try await withTaskCancellationHandler {
                    try await withCheckedThrowingContinuation { continuation in
                        self.state.withLockedValue { $0.enqueue(id, continuation) }
                    }
                } onCancel: {
                    self.state.withLockedValue { $0.cancel(id) }?.resume(throwing: CancellationError())
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            if let lease = first { return lease }
            // Timed out: the waiter was cancelled, but it may have been handed a lease first.
            while let result = await group.nextResult() {
                if case .success(let lease?) = result { return lease }
            }
            throw PostgresError(
                code: .acquireTimeout,
                message: "no database connection became free within \(timeout) (pool size \(configuration.maximumConnections))"
            )
        }
    }
}

public struct PoolStatistics: Sendable, Equatable {
    public var open: Int
    public var idle: Int
    public var waiting: Int
    public var inUse: Int { open - idle }
}
