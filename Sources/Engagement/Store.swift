import Foundation
import Jobs
import Postgres

/// The records as the web tier reaches them: units of work on one connection, figures about the
/// pool and the queues, the scorecard change feed, and what a database failure means to a
/// caller. `Server` depends on Engagement alone and holds no SQL; the composition root makes a
/// `Store` of each pool.
public struct Store: Sendable {
    /// What the domain's functions take (`on db:`): handed to closures, never used by callers.
    public typealias Connection = PostgresConnection

    let client: PostgresClient

    public init(_ client: PostgresClient) {
        self.client = client
    }

    /// A write: one transaction (READ COMMITTED), committed when `body` returns.
    public func transaction<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> T {
        try await client.withTransaction(body)
    }

    /// Reads that must agree with each other: one REPEATABLE READ snapshot.
    public func snapshot<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> T {
        try await client.withTransaction(isolation: .repeatableRead, body)
    }

    /// A single read on a pooled connection, without a transaction around it.
    public func connection<T: Sendable>(_ body: (Connection) async throws -> T) async throws -> T {
        try await client.withConnection(body)
    }

    /// Whether the database answers (`/ready`).
    public func ping() async throws { try await client.ping() }

    public struct PoolFigures: Sendable, Equatable {
        public var open: Int
        public var idle: Int
        public var waiting: Int
    }

    public var pool: PoolFigures {
        let statistics = client.statistics
        return PoolFigures(open: statistics.open, idle: statistics.idle, waiting: statistics.waiting)
    }

    /// The job queue, as `/metrics` and `GET /jobs/stats` show it.
    public struct QueueFigures: Sendable {
        public struct Count: Sendable {
            public var kind: String
            public var state: String
            public var count: Int
        }
        public struct Failure: Sendable {
            public var id: Int64
            public var kind: String
            public var state: String
            public var attempt: Int
            public var error: String
            public var at: Date
        }
        public var counts: [Count]
        public var oldestWaitingSeconds: Double?
        public var recentFailures: [Failure]
        /// Every state a job can be in, so a drained state reads 0 rather than vanishing.
        public static let states = JobQueue.states
    }

    public func queues() async throws -> QueueFigures {
        let jobs = try await JobQueue().statistics(on: client)
        return QueueFigures(
            counts: jobs.counts.map { .init(kind: $0.kind, state: $0.state, count: $0.count) },
            oldestWaitingSeconds: jobs.oldestWaitingSeconds,
            recentFailures: jobs.recentFailures.map {
                .init(id: $0.id, kind: $0.kind, state: $0.state, attempt: $0.attempt, error: $0.error, at: $0.at)
            }
        )
    }

    /// Days marked for a rollup recomputation and not yet recomputed (`/metrics`).
    public func rollupDaysPending() async throws -> Int {
        try await Rollups(database: client).pendingDays()
    }

    /// Listens to the change feed until cancelled: `onReady` once listening, `onChange` with the
    /// payload of each change (scorecards' sources, or `ChangeFeed.access`).
    public func listenForChanges(onReady: @Sendable () async -> Void, onChange: @Sendable (String) async -> Void) async throws {
        try await client.listen(on: [ChangeFeed.channel], onReady: onReady) { await onChange($0.payload) }
    }

    /// What a database failure means to a caller, when it means something other than a bug.
    public enum Failure: Sendable {
        /// No connection (PostgreSQL down or restarting, the pool exhausted or closed): try again.
        case unavailable
        /// A value PostgreSQL cannot store: text with a NUL character.
        case unstorableText
    }

    public static func failure(of error: any Error) -> Failure? {
        guard let error = error as? PostgresError else { return nil }
        if error.code == .acquireTimeout || error.isConnectionFailure || error.code == .poolClosed { return .unavailable }
        if error.code == .invalidQuery { return .unstorableText }
        return nil
    }
}

/// The change feed: triggers on the rollup tables, initiatives and schools (Schema/0006) and on
/// tokens, accounts and their reach (Schema/0026) notify this channel at commit, whoever the writer.
/// `ChangeFeedTests` checks the installed trigger sends exactly this name.
public enum ChangeFeed {
    public static let channel = "chorus_changes"
    /// The payload of a change to what a bearer token's principal is read from (Schema/0026);
    /// every other payload concerns scorecards.
    public static let access = "access"
}
