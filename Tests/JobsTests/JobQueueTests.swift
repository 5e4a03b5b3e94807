import Foundation
import Jobs
import Logging
import NIOConcurrencyHelpers
import Postgres
import PostgresTesting
import ServiceLifecycle
import Testing

@Suite("Job queue (integration)")
struct JobQueueTests {
    struct Empty: Codable, Sendable {}

    /// Runs a processor until `done` holds (checked every 50 ms, at most `limit`), then stops it.
    func process(
        _ db: PostgresClient,
        handlers: [String: JobHandler],
        configuration: JobProcessor.Configuration,
        limit: Duration = .seconds(60),
        until done: @Sendable () async throws -> Bool
    ) async throws {
        let processor = JobProcessor(database: db, configuration: configuration, handlers: handlers, logger: TestDatabase.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await processor.run() }
            let deadline = ContinuousClock.now + limit
            while try await !done(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            group.cancelAll()
        }
    }

    @Test func failingTwiceThenSucceedingCompletesOnAttemptThreeWithBackoff() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let attempts = NIOLockedValueBox<[(Int, ContinuousClock.Instant)]>([])
            let handler: JobHandler = { job in
                attempts.withLockedValue { $0.append((job.attempt, .now)) }
                if job.attempt < 3 { throw QueueTestError.planned(job.attempt) }
            }
            let id = try await db.withTransaction { try await JobQueue().push(kind: "flaky", payload: Empty(), on: $0) }
            let configuration = JobProcessor.Configuration(concurrency: 2, pollInterval: .milliseconds(50), backoffScale: 0.1)
            try await process(db, handlers: ["flaky": handler], configuration: configuration) {
                try await db.query("SELECT state::text FROM jobs WHERE id = \(id)").first!.decode(String.self, at: 0) == "completed"
            }
            let row = try #require(try await db.query("SELECT state::text, attempt, last_error FROM jobs WHERE id = \(id)").first)
            #expect(try row.decode(String.self, at: 0) == "completed")
            #expect(try row.decode(Int.self, at: 1) == 3)
            #expect(try row.decode(String?.self, at: 2)?.contains("planned(2)") == true)
            let seen = attempts.withLockedValue { $0 }
            #expect(seen.map(\.0) == [1, 2, 3])
            // Backoff: at least 0.75 × 2^attempt × scale between attempts.
            #expect(seen[1].1 - seen[0].1 >= .milliseconds(140))
            #expect(seen[2].1 - seen[1].1 >= .milliseconds(290))
        }
    }

    @Test func alwaysFailingJobIsDiscardedWithItsLastError() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let id = try await db.withTransaction {
                try await JobQueue().push(kind: "broken", payload: Empty(), options: .init(maxAttempts: 3), on: $0)
            }
            let configuration = JobProcessor.Configuration(pollInterval: .milliseconds(50), backoffScale: 0.01)
            try await process(db, handlers: ["broken": { job in throw QueueTestError.planned(job.attempt) }], configuration: configuration) {
                try await db.query("SELECT state::text FROM jobs WHERE id = \(id)").first!.decode(String.self, at: 0) == "discarded"
            }
            let row = try #require(try await db.query("SELECT state::text, attempt, last_error FROM jobs WHERE id = \(id)").first)
            #expect(try row.decode(String.self, at: 0) == "discarded")
            #expect(try row.decode(Int.self, at: 1) == 3)
            #expect(try row.decode(String.self, at: 2).contains("planned(3)"))
            let stats = try await JobQueue().statistics(on: db)
            #expect(stats.recentFailures.first?.id == id)
        }
    }

    @Test func hundredConcurrentPushesWithOneUniqueKeyMakeOneJob() async throws {
        try await TestDatabase.withDatabase(migrated: true, maximumConnections: 10) { db, _ in
            let ids = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for _ in 0..<100 {
                    group.addTask {
                        try await db.withTransaction {
                            try await JobQueue().push(kind: "unique", payload: Empty(), options: .init(uniqueKey: "only-one"), on: $0)
                        }
                    }
                }
                return try await group.reduce(into: [Int64?]()) { $0.append($1) }
            }
            #expect(ids.compactMap { $0 }.count == 1)
            #expect(try await db.query("SELECT count(*) FROM jobs").first!.decode(Int.self, at: 0) == 1)
            // Once done, the key is free again.
            try await db.query("UPDATE jobs SET state = 'completed'")
            let again = try await db.withTransaction {
                try await JobQueue().push(kind: "unique", payload: Empty(), options: .init(uniqueKey: "only-one"), on: $0)
            }
            #expect(again != nil)
        }
    }

    @Test func pushIsPartOfTheCallersTransaction() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            struct Abort: Error {}
            _ = try await #require(throws: Abort.self) {
                try await db.withTransaction { tx in
                    try await JobQueue().push(kind: "noop", payload: Empty(), on: tx)
                    throw Abort()
                }
            }
            #expect(try await db.query("SELECT count(*) FROM jobs").first!.decode(Int.self, at: 0) == 0)
        }
    }

    @Test func expiredLeasesAreRescuedAndOldJobsPruned() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let queue = JobQueue()
            for _ in 0..<3 { try await db.withTransaction { try await queue.push(kind: "noop", payload: Empty(), on: $0) } }
            let claimed = try await queue.claim(limit: 2, worker: "dead-worker", lease: .seconds(3600), on: db)
            #expect(claimed.count == 2)
            #expect(try await queue.rescue(on: db) == 0)
            // Let the lease run out without sleeping (a loaded CI machine made a 1 s lease expire early).
            try await db.query("UPDATE jobs SET locked_until = now() - interval '1 second' WHERE state = 'running'")
            #expect(try await queue.rescue(on: db) == 2)
            let states = try await db.query("SELECT state::text, count(*) FROM jobs GROUP BY 1 ORDER BY 1").map { try $0.decode((String, Int).self) }
            #expect(states.map(\.0) == ["available", "retryable"])
            try await db.query("UPDATE jobs SET state = 'completed', completed_at = now() - interval '2 hours'")
            #expect(try await queue.prune(completedAfter: .seconds(3600), discardedAfter: .seconds(3600), on: db) == 3)
        }
    }

    /// A claim whose answer was lost (the primary died after committing it) leaves a row named
    /// for a live worker that never runs it: the heartbeat extends only the jobs the worker runs,
    /// so that row expires and is rescued (found by Deploy/faults' failover cycle, issue 18).
    @Test func theHeartbeatKeepsOnlyTheJobsTheWorkerRuns() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let queue = JobQueue()
            for _ in 0..<2 { try await db.withTransaction { try await queue.push(kind: "noop", payload: Empty(), on: $0) } }
            let claimed = try await queue.claim(limit: 2, worker: "live-worker", lease: .seconds(3600), on: db)
            #expect(claimed.count == 2)
            try await db.query("UPDATE jobs SET locked_until = now() - interval '1 second' WHERE state = 'running'")
            // The worker knows of the first job only.
            try await queue.heartbeat(worker: "live-worker", ids: [claimed[0].id], lease: .seconds(3600), on: db)
            #expect(try await queue.rescue(on: db) == 1)
            let running = try await db.query("SELECT id FROM jobs WHERE state = 'running'").map { try $0.decode(Int64.self, at: 0) }
            #expect(running == [claimed[0].id])
        }
    }

    @Test func notifyWakesAnIdleWorkerBeforeThePollInterval() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let done = NIOLockedValueBox(false)
            let configuration = JobProcessor.Configuration(pollInterval: .seconds(30))
            let processor = JobProcessor(
                database: db,
                configuration: configuration,
                handlers: ["noop": { _ in done.withLockedValue { $0 = true } }],
                logger: TestDatabase.logger
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await processor.run() }
                // Wait until the processor's LISTEN is in place (its connection's last statement).
                for _ in 0..<500 {
                    let listening = try await db.query(
                        "SELECT 1 FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()"
                    )
                    if !listening.isEmpty { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await db.withTransaction { try await JobQueue().push(kind: "noop", payload: Empty(), on: $0) }
                // With a 30 s poll interval only the notification can wake it within 10 s.
                let deadline = ContinuousClock.now + .seconds(10)
                while !done.withLockedValue({ $0 }), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                group.cancelAll()
            }
            #expect(done.withLockedValue { $0 })
        }
    }
}

enum QueueTestError: Error {
    case planned(Int)
}
