import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import Postgres
import ServiceLifecycle

/// What a worker runs for a job kind. Handlers must be idempotent: a job whose worker dies runs
/// again after its lease expires.
public typealias JobHandler = @Sendable (Job) async throws -> Void

/// Runs jobs: claims batches up to its concurrency, wakes on NOTIFY (with a polling fallback),
/// extends leases while jobs run, rescues expired leases and prunes old jobs on a schedule.
/// On graceful shutdown it stops claiming, lets running jobs finish up to `shutdownTimeout`,
/// and releases whatever is still unfinished.
public final class JobProcessor: Service, Sendable {
    public struct Configuration: Sendable {
        public var concurrency: Int
        public var lease: Duration
        public var pollInterval: Duration
        public var maintenanceInterval: Duration
        public var keepCompleted: Duration
        public var keepDiscarded: Duration
        public var shutdownTimeout: Duration
        public var backoffScale: Double

        public init(
            concurrency: Int = 4,
            lease: Duration = .seconds(30),
            pollInterval: Duration = .seconds(1),
            maintenanceInterval: Duration = .seconds(10),
            keepCompleted: Duration = .seconds(3600),
            keepDiscarded: Duration = .seconds(7 * 86_400),
            shutdownTimeout: Duration = .seconds(10),
            backoffScale: Double = 1
        ) {
            self.concurrency = max(1, concurrency)
            self.lease = lease
            self.pollInterval = pollInterval
            self.maintenanceInterval = maintenanceInterval
            self.keepCompleted = keepCompleted
            self.keepDiscarded = keepDiscarded
            self.shutdownTimeout = shutdownTimeout
            self.backoffScale = backoffScale
        }
    }

    let database: PostgresClient
    let configuration: Configuration
    let handlers: [String: JobHandler]
    let logger: Logger
    let queue: JobQueue
    /// Unique per process and processor, so leases and releases never touch another's jobs.
    public let worker: String
    /// The jobs this processor is running now: only their leases are extended. A job whose
    /// claim or completion was lost with its connection (a failover, a killed primary) is left
    /// to expire and be rescued, not kept alive by the heartbeat forever.
    private let inFlight = NIOLockedValueBox(Set<Int64>())
    private let stopping = NIOLockedValueBox(false)
    /// Set by NOTIFY and by finished jobs; the claim loop checks it every few milliseconds while
    /// idle, so a burst of notifications costs one claim (the debounce).
    private let wakeup = NIOLockedValueBox(false)

    public init(database: PostgresClient, configuration: Configuration, handlers: [String: JobHandler], logger: Logger) {
        self.database = database
        self.configuration = configuration
        self.handlers = handlers
        self.logger = logger
        self.queue = JobQueue(backoffScale: configuration.backoffScale)
        self.worker = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString.prefix(8))"
    }

    public func run() async throws {
        logger.info("job processor started", metadata: ["jobs.worker": "\(worker)", "jobs.concurrency": "\(configuration.concurrency)"])
        await withTaskGroup(of: Void.self) { background in
            background.addTask { await self.listen() }
            background.addTask {
                await self.every(self.configuration.lease / 3) {
                    let ids = self.inFlight.withLockedValue { $0 }
                    if !ids.isEmpty {
                        try await self.queue.heartbeat(worker: self.worker, ids: ids, lease: self.configuration.lease, on: self.database)
                    }
                }
            }
            background.addTask {
                await self.every(self.configuration.maintenanceInterval) {
                    let rescued = try await self.queue.rescue(on: self.database)
                    if rescued > 0 { self.logger.warning("rescued jobs with expired leases", metadata: ["jobs.count": "\(rescued)"]) }
                    try await self.queue.prune(
                        completedAfter: self.configuration.keepCompleted,
                        discardedAfter: self.configuration.keepDiscarded,
                        on: self.database
                    )
                }
            }
            await withDiscardingTaskGroup { jobs in
                await withGracefulShutdownHandler {
                    await self.work(&jobs)
                } onGracefulShutdown: {
                    self.stopping.withLockedValue { $0 = true }
                }
                await self.drain()
            }
            background.cancelAll()
        }
        logger.info("job processor stopped", metadata: ["jobs.worker": "\(worker)"])
    }

    /// Claim and run until graceful shutdown (or cancellation); jobs run as children of `jobs`.
    private func work(_ jobs: inout DiscardingTaskGroup) async {
        while !stopping.withLockedValue({ $0 }) && !Task.isCancelled {
            let free = configuration.concurrency - inFlight.withLockedValue { $0.count }
            var claimed = 0
            if free > 0 {
                do {
                    let batch = try await queue.claim(limit: free, worker: worker, lease: configuration.lease, on: database)
                    claimed = batch.count
                    for job in batch {
                        inFlight.withLockedValue { _ = $0.insert(job.id) }
                        jobs.addTask {
                            await self.execute(job)
                            self.inFlight.withLockedValue { _ = $0.remove(job.id) }
                            self.wakeup.withLockedValue { $0 = true }
                        }
                    }
                } catch {
                    logger.warning("claiming jobs failed", metadata: ["error": "\(error)"])
                }
            }
            // A full batch means more may be waiting: claim again at once.
            if claimed > 0 && claimed == free { continue }
            await waitForWakeup()
        }
    }

    private func waitForWakeup() async {
        let deadline = ContinuousClock.now + configuration.pollInterval
        while ContinuousClock.now < deadline && !stopping.withLockedValue({ $0 }) && !Task.isCancelled {
            if wakeup.withLockedValue({ woken in
                defer { woken = false }
                return woken
            }) {
                return
            }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private func execute(_ job: Job) async {
        guard let handler = handlers[job.kind] else {
            try? await queue.fail(job, error: "no handler for kind \(job.kind)", worker: worker, on: database)
            return
        }
        let start = ContinuousClock.now
        do {
            try await handler(job)
            try await queue.complete(job, worker: worker, on: database)
            Self.finished(job.kind, "completed", since: start)
        } catch {
            Self.finished(job.kind, "failed", since: start)
            logger.info(
                "job failed",
                metadata: ["job.id": "\(job.id)", "job.kind": "\(job.kind)", "job.attempt": "\(job.attempt)", "error": "\(error)"]
            )
            try? await queue.fail(job, error: "\(error)", worker: worker, on: database)
        }
    }

    /// Jobs run, by kind and outcome, and how long they took (`/metrics`; the rate of completed
    /// `score-text` jobs is the scoring throughput).
    private static func finished(_ kind: String, _ outcome: String, since start: ContinuousClock.Instant) {
        Counter(label: "chorus_jobs_finished_total", dimensions: [("kind", kind), ("outcome", outcome)]).increment()
        let elapsed = ContinuousClock.now - start
        Timer(label: "chorus_job_duration_seconds", dimensions: [("kind", kind)])
            .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }

    /// After claiming stops: wait for running jobs up to the timeout, then release the rest.
    private func drain() async {
        let deadline = ContinuousClock.now + configuration.shutdownTimeout
        while !inFlight.withLockedValue({ $0.isEmpty }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if !inFlight.withLockedValue({ $0.isEmpty }) {
            logger.warning("releasing unfinished jobs at shutdown", metadata: ["jobs.count": "\(inFlight.withLockedValue { $0.count })"])
        }
        try? await queue.release(worker: worker, on: database)
    }

    private func listen() async {
        while !Task.isCancelled {
            do {
                try await database.listen(on: [JobQueue.channel]) { _ in self.wakeup.withLockedValue { $0 = true } }
            } catch {
                // LISTEN is an optimisation; polling carries on while the connection is down.
                try? await Task.sleep(for: configuration.pollInterval)
            }
        }
    }

    private func every(_ interval: Duration, _ body: @Sendable () async throws -> Void) async {
        while !Task.isCancelled {
            do { try await body() } catch { logger.warning("job maintenance failed", metadata: ["error": "\(error)"]) }
            try? await Task.sleep(for: interval)
        }
    }
}
