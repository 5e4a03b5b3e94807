import Foundation
import Postgres

/// A job as a worker sees it.
public struct Job: Sendable {
    public var id: Int64
    public var kind: String
    public var payload: Data
    public var attempt: Int
    public var maxAttempts: Int

    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: payload)
    }
}

/// The PostgreSQL job queue (after River, Oban and Graphile Worker): jobs are rows; `push` runs
/// in the caller's transaction so a record and its job commit together; workers claim batches
/// with `FOR UPDATE SKIP LOCKED`, hold a lease they extend while working, and leave the job
/// completed, retryable (exponential backoff with jitter) or discarded with its last error.
public struct JobQueue: Sendable {
    /// The NOTIFY channel: PostgreSQL delivers it when the pushing transaction commits and folds
    /// repeats within a transaction into one.
    public static let channel = "chorus_jobs"

    /// Multiplies every retry delay (tests and benchmarks shrink it; production keeps 1).
    public var backoffScale: Double

    public init(backoffScale: Double = 1) {
        self.backoffScale = backoffScale
    }

    public struct Options: Sendable {
        public var priority: Int
        public var delay: Duration
        public var maxAttempts: Int
        public var uniqueKey: String?

        public init(priority: Int = 0, delay: Duration = .zero, maxAttempts: Int = 10, uniqueKey: String? = nil) {
            self.priority = priority
            self.delay = delay
            self.maxAttempts = maxAttempts
            self.uniqueKey = uniqueKey
        }
    }

    /// Enqueues a job in the caller's transaction. With a unique key, a push while an equal job
    /// is still pending is a no-op (returns nil).
    @discardableResult
    public func push<Payload: Encodable & Sendable>(
        kind: String,
        payload: Payload,
        options: Options = Options(),
        on db: PostgresConnection
    ) async throws -> Int64? {
        let json = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
        let delayMicros = options.delay.components.seconds * 1_000_000 + options.delay.components.attoseconds / 1_000_000_000_000
        let rows = try await db.query(
            """
            WITH inserted AS (
                INSERT INTO jobs (kind, payload, priority, max_attempts, unique_key, run_at)
                VALUES (\(kind), \(json)::jsonb, \(options.priority), \(options.maxAttempts), \(options.uniqueKey),
                        now() + \(delayMicros)::bigint * interval '1 microsecond')
                ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'retryable') DO NOTHING
                RETURNING id
            )
            SELECT id, pg_notify(\(Self.channel), '') FROM inserted
            """
        )
        return try rows.first?.decode(Int64.self, at: 0)
    }

    /// Enqueues many jobs of one kind in the caller's transaction, one statement per 10,000;
    /// `uniqueKey`, when given, keys each payload as in `push`. Returns how many were new.
    @discardableResult
    public func pushMany<Payload: Encodable & Sendable>(
        kind: String,
        payloads: [Payload],
        uniqueKey: ((Payload) -> String)? = nil,
        options: Options = Options(),
        on db: PostgresConnection
    ) async throws -> Int {
        let encoder = JSONEncoder()
        var pushed = 0
        for start in stride(from: 0, to: payloads.count, by: 10_000) {
            let end = min(payloads.count, start + 10_000)
            let json = try payloads[start..<end].map { String(decoding: try encoder.encode($0), as: UTF8.self) }
            let keys = uniqueKey.map { payloads[start..<end].map($0) }
            let rows = try await db.query(
                """
                WITH inserted AS (
                    INSERT INTO jobs (kind, payload, priority, max_attempts, unique_key)
                    SELECT \(kind), p::jsonb, \(options.priority), \(options.maxAttempts), k FROM unnest(\(json)::text[], \(keys)::text[]) x(p, k)
                    ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'retryable') DO NOTHING
                    RETURNING 1
                )
                SELECT count(*) FROM inserted
                """
            )
            pushed += try rows.one().decode(Int.self, at: 0)
        }
        if pushed > 0 { try await db.query("SELECT pg_notify(\(Self.channel), '')") }
        return pushed
    }

    /// Claims up to `limit` runnable jobs for `worker`, leasing them for `lease`.
    public func claim(limit: Int, worker: String, lease: Duration, on client: PostgresClient) async throws -> [Job] {
        let rows = try await client.query(
            """
            UPDATE jobs SET state = 'running', attempt = attempt + 1, locked_by = \(worker),
                locked_until = now() + \(lease.components.seconds)::bigint * interval '1 second', updated_at = clock_timestamp()
            WHERE id IN (
                SELECT id FROM jobs WHERE state IN ('available', 'retryable') AND run_at <= now()
                ORDER BY priority, run_at, id FOR UPDATE SKIP LOCKED LIMIT \(limit))
            RETURNING id, kind, payload::text, attempt, max_attempts
            """
        )
        return try rows.map { row in
            let (id, kind, payload, attempt, maxAttempts) = try row.decode((Int64, String, String, Int, Int).self)
            return Job(id: id, kind: kind, payload: Data(payload.utf8), attempt: attempt, maxAttempts: maxAttempts)
        }
    }

    public func complete(_ job: Job, worker: String, on client: PostgresClient) async throws {
        try await client.query(
            """
            UPDATE jobs SET state = 'completed', completed_at = clock_timestamp(), updated_at = clock_timestamp(),
                locked_until = NULL  -- locked_by stays: which worker ran it
            WHERE id = \(job.id) AND state = 'running' AND locked_by = \(worker)
            """
        )
    }

    /// Retry later with backoff, or discard after the last attempt, keeping the error.
    public func fail(_ job: Job, error: String, worker: String, on client: PostgresClient) async throws {
        let discard = job.attempt >= job.maxAttempts
        let backoff = Self.backoff(attempt: job.attempt) * backoffScale
        try await client.query(
            """
            UPDATE jobs SET state = \(discard ? "discarded" : "retryable")::job_state, last_error = \(String(error.prefix(2000))),
                run_at = now() + \(Int64(backoff * 1_000_000))::bigint * interval '1 microsecond',
                completed_at = CASE WHEN \(discard) THEN clock_timestamp() END, updated_at = clock_timestamp(),
                locked_by = NULL, locked_until = NULL
            WHERE id = \(job.id) AND state = 'running' AND locked_by = \(worker)
            """
        )
    }

    /// Seconds before attempt `attempt + 1`: 2^attempt with ±25% jitter, at most an hour.
    public static func backoff(attempt: Int) -> Double {
        let base = min(3600, pow(2, Double(min(attempt, 12))))
        return base * Double.random(in: 0.75...1.25)
    }

    /// Extends the leases of the jobs `worker` is running (`ids`), and of no other row it may
    /// still be named on (a claim whose answer was lost).
    public func heartbeat(worker: String, ids: Set<Int64>, lease: Duration, on client: PostgresClient) async throws {
        let list = ids.map(String.init)
        try await client.query(
            """
            UPDATE jobs SET locked_until = now() + \(lease.components.seconds)::bigint * interval '1 second'
            WHERE state = 'running' AND locked_by = \(worker) AND id = ANY(\(list)::text[]::bigint[])
            """
        )
    }

    /// Jobs whose lease expired (their worker died) run again, or are discarded when that was
    /// their last attempt. Returns how many were rescued.
    @discardableResult
    public func rescue(on client: PostgresClient) async throws -> Int {
        try await client.query(
            """
            UPDATE jobs SET state = CASE WHEN attempt >= max_attempts THEN 'discarded' ELSE 'retryable' END::job_state,
                last_error = 'lease expired (worker ' || coalesce(locked_by, '?') || ' stopped)',
                completed_at = CASE WHEN attempt >= max_attempts THEN clock_timestamp() END,
                run_at = now(), locked_by = NULL, locked_until = NULL, updated_at = clock_timestamp()
            WHERE state = 'running' AND locked_until < now()
            """
        ).affectedRows
    }

    /// Gives back jobs `worker` still holds (graceful shutdown), not counting the attempt.
    public func release(worker: String, on client: PostgresClient) async throws {
        try await client.query(
            """
            UPDATE jobs SET state = 'available', attempt = greatest(attempt - 1, 0), locked_by = NULL, locked_until = NULL,
                updated_at = clock_timestamp()
            WHERE state = 'running' AND locked_by = \(worker)
            """
        )
    }

    /// Deletes completed and discarded jobs older than the given ages.
    @discardableResult
    public func prune(completedAfter: Duration, discardedAfter: Duration, on client: PostgresClient) async throws -> Int {
        try await client.query(
            """
            DELETE FROM jobs WHERE (state = 'completed' AND completed_at < now() - \(completedAfter.components.seconds)::bigint * interval '1 second')
                OR (state = 'discarded' AND completed_at < now() - \(discardedAfter.components.seconds)::bigint * interval '1 second')
            """
        ).affectedRows
    }

    /// Every state a job can be in (the `job_state` type).
    public static let states = ["available", "running", "completed", "retryable", "discarded"]

    public struct Statistics: Sendable, Codable, Equatable {
        public struct Count: Sendable, Codable, Equatable {
            public var kind: String
            public var state: String
            public var count: Int
        }
        public struct Failure: Sendable, Codable, Equatable {
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
    }

    public func statistics(on client: PostgresClient) async throws -> Statistics {
        let counts = try await client.query("SELECT kind, state::text, count(*) FROM jobs GROUP BY kind, state ORDER BY kind, state").map {
            let (kind, state, count) = try $0.decode((String, String, Int).self)
            return Statistics.Count(kind: kind, state: state, count: count)
        }
        let oldest = try await client.query(
            "SELECT extract(epoch FROM now() - min(run_at))::float8 FROM jobs WHERE state IN ('available', 'retryable') AND run_at <= now()"
        ).one().decode(Double?.self, at: 0)
        let failures = try await client.query(
            """
            SELECT id, kind, state::text, attempt, last_error, updated_at FROM jobs
            WHERE last_error IS NOT NULL AND state IN ('retryable', 'discarded') ORDER BY updated_at DESC LIMIT 10
            """
        ).map {
            let (id, kind, state, attempt, error, at) = try $0.decode((Int64, String, String, Int, String, Date).self)
            return Statistics.Failure(id: id, kind: kind, state: state, attempt: attempt, error: error, at: at)
        }
        return Statistics(counts: counts, oldestWaitingSeconds: oldest, recentFailures: failures)
    }
}
