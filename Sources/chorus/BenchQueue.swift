import ArgumentParser
import Engagement
import Foundation
import Jobs
import Logging
import Postgres

/// Queue throughput and latency on this machine (see Deploy/bench/queue, which runs it on a
/// scratch database). Throughput: N jobs pushed at once, then drained. Rate: jobs pushed one per
/// transaction at a steady rate while workers run; push → done latency from the jobs' own
/// `created_at`/`completed_at`, and the jobs table's size over time with pruning on.
struct BenchQueue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queue", abstract: "Job queue throughput and latency.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "noop (queue overhead) or score (real feedback scored by score-text jobs).") var kind = "noop"
    @Option(help: "Jobs for the throughput run.") var jobs = 20_000
    @Option(help: "Jobs run at once.") var concurrency = 32
    @Option(help: "Jobs per second for the rate run (0: throughput run only).") var rate = 0
    @Option(help: "Seconds of the rate run.") var duration = 10
    @Option(name: .customLong("keep-completed"), help: "Seconds completed jobs are kept (pruning) during the rate run.") var keepCompleted = 30
    @Option(help: "Submitters sharing the rate run's pushes (one commit at a time each).") var writers = 1
    @Flag(help: "Also run the rollups and report the lag from a comment's commit to the scorecard rollups counting it scored (score only).")
    var rollups = false

    func run() async throws {
        guard ["noop", "score"].contains(kind) else { throw ValidationError("--kind must be noop or score") }
        guard writers >= 1 else { throw ValidationError("--writers must be at least 1") }
        guard !rollups || kind == "score" else { throw ValidationError("--rollups needs --kind score") }
        try await database.withClient { client in
            // An older schema's jobs would never finish here (a kind without a handler retries).
            try await WorkerOptions.requireCurrentSchema(database: database, client: client, logger: database.makeLogger())
            let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
            if try await client.query("SELECT 1 FROM initiatives WHERE slug = 'bench'").isEmpty {
                try await client.query(
                    #"INSERT INTO initiatives (slug, title, theme_keywords) VALUES ('bench', '{"en": "Benchmark"}', '{wifi,bus}')"#
                )
            }
            let processor = JobProcessor(
                database: client,
                configuration: .init(
                    concurrency: concurrency,
                    pollInterval: .milliseconds(200),
                    maintenanceInterval: .seconds(5),
                    keepCompleted: .seconds(keepCompleted)
                ),
                handlers: DiagnosticJobs.handlers.merging(try EngagementJobs.handlers(database: client)) { $1 },
                logger: logger
            )
            try await client.query("DELETE FROM jobs")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await processor.run() }
                if rollups { group.addTask { try await RollupService(rollups: Rollups(database: client), logger: logger).run() } }
                if jobs > 0 { try await throughput(client) }
                if rate > 0 { try await steadyRate(client) }
                group.cancelAll()
            }
        }
    }

    private var jobKind: String { kind == "score" ? TextScoring.kind : "noop" }

    private func throughput(_ client: PostgresClient) async throws {
        try await client.query("DELETE FROM jobs")
        let started = ContinuousClock.now
        if kind == "score" {
            try await client.withTransaction { db in
                let ids = try await db.query(
                    """
                    INSERT INTO feedback (initiative_id, comment, receipt)
                    SELECT i.id, (ARRAY['The wifi is great but the bus is late', 'Los maestros son excelentes', 'The lunch line is too long'])[1 + n % 3],
                           'BENCH-' || gen_random_uuid()
                    FROM generate_series(1, \(jobs)) AS n, (SELECT id FROM initiatives WHERE slug = 'bench') i
                    RETURNING id
                    """
                ).map { try $0.decode(Int64.self, at: 0) }
                let payloads = ids.map { TextScoring.Payload(source: "feedback", id: $0) }
                try await JobQueue().pushMany(kind: TextScoring.kind, payloads: payloads, on: db)
            }
        } else {
            try await client.query("INSERT INTO jobs (kind) SELECT 'noop' FROM generate_series(1, \(jobs))")
        }
        try await client.query("SELECT pg_notify(\(JobQueue.channel), '')")
        while try await client.query("SELECT 1 FROM jobs WHERE state <> 'completed' LIMIT 1").count > 0 {
            try await Task.sleep(for: .milliseconds(20))
        }
        let seconds = Self.seconds(ContinuousClock.now - started)
        print(
            "throughput  \(kind.padding(toLength: 6, withPad: " ", startingAt: 0)) "
                + String(format: "%7d jobs in %6.2f s = %8.0f jobs/s (concurrency %d)", jobs, seconds, Double(jobs) / seconds, concurrency)
        )
    }

    private func steadyRate(_ client: PostgresClient) async throws {
        try await client.query("DELETE FROM jobs")
        let initiative = try await client.query("SELECT id FROM initiatives WHERE slug = 'bench'").one().decode(Int64.self, at: 0)
        if rollups { try await Rollups(database: client).refreshPending() }
        let rolledAtStart = rollups ? try await rolledUp(client, initiative) : 0
        let committed = Committed()
        let started = ContinuousClock.now
        print("rate run: \(rate) jobs/s from \(writers) submitter(s) for \(duration) s, completed jobs pruned after \(keepCompleted) s")
        print("   t(s)   pushed  jobs rows  jobs table size")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask { try await submit(client, writer: writer, initiative: initiative, started: started, committed: committed) }
            }
            group.addTask {
                var lastReport = started
                while ContinuousClock.now - started < .seconds(duration) {
                    try await Task.sleep(for: .milliseconds(50))
                    let now = ContinuousClock.now
                    if rollups {
                        let rolled = try await rolledUp(client, initiative) - rolledAtStart
                        await committed.observe(at: Self.seconds(now - started), rolled: rolled)
                    }
                    if now - lastReport >= .seconds(max(1, duration / 10)) {
                        lastReport = now
                        try await report(client, Self.seconds(now - started), await committed.count)
                    }
                }
            }
            try await group.waitForAll()
        }
        let pushed = await committed.count
        // The last submissions' rollups: observed for up to 5 s more.
        for _ in 0..<100 where rollups {
            let rolled = try await rolledUp(client, initiative) - rolledAtStart
            await committed.observe(at: Self.seconds(ContinuousClock.now - started), rolled: rolled)
            if rolled >= pushed { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        if !rollups { try await Task.sleep(for: .seconds(2)) }
        try await report(client, Self.seconds(ContinuousClock.now - started), pushed)
        let achieved = Double(pushed) / Double(duration)
        print(String(format: "achieved    %.0f submissions/s committed (asked %d)", achieved, rate))
        let latency = try await client.query(
            """
            SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - created_at))::float8[]::text[],
                   count(*)
            FROM jobs WHERE kind = \(jobKind) AND state = 'completed'
            """
        ).one()
        let percentiles = try latency.decode([String].self, at: 0).compactMap(Double.init).map { $0 * 1000 }
        let done = try latency.decode(Int.self, at: 1)
        if percentiles.count == 3 {
            print(
                "latency     \(kind.padding(toLength: 6, withPad: " ", startingAt: 0)) "
                    + String(
                        format: "push → done p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  (%d of %d jobs measured)",
                        percentiles[0],
                        percentiles[1],
                        percentiles[2],
                        done,
                        pushed
                    )
            )
        }
        if rollups {
            let lags = await committed.lags().sorted()
            if lags.isEmpty {
                print("rollup lag  not measured (no commit was rolled up within the run and 5 s after it)")
            } else {
                let at = { (p: Double) in lags[min(lags.count - 1, Int(Double(lags.count) * p))] * 1000 }
                print(
                    String(
                        format: "rollup lag  commit → counted scored in rollup_daily p50 %.0f ms  p95 %.0f ms  max %.0f ms  (%d commits sampled%@)",
                        at(0.5),
                        at(0.95),
                        at(1),
                        lags.count,
                        await committed.unrolled > 0 ? ", \(await committed.unrolled) not rolled up within 5 s" : ""
                    )
                )
            }
        }
    }

    /// One submitter's share of the rate: its own schedule, one commit at a time.
    private func submit(_ client: PostgresClient, writer: Int, initiative: Int64, started: ContinuousClock.Instant, committed: Committed) async throws
    {
        let interval = Duration.seconds(1) * writers / rate
        var next = started + interval * writer / writers
        let submissions = Submissions()
        var pushed = 0
        while next - started < .seconds(duration) {
            if next > ContinuousClock.now { try await Task.sleep(until: next) }
            if kind == "score" {
                _ = try await client.withTransaction { db in
                    try await submissions.submitFeedback(
                        .init(
                            initiativeID: initiative,
                            schoolID: nil,
                            group: .families,
                            language: nil,
                            comment: "The wifi hotspots helped a lot but the bus is late #\(writer)-\(pushed)",
                            contact: nil
                        ),
                        on: db
                    )
                }
            } else {
                try await client.withTransaction { try await JobQueue().push(kind: "noop", payload: [String: String](), on: $0) }
            }
            pushed += 1
            await committed.add(at: Self.seconds(ContinuousClock.now - started))
            next += interval
        }
    }

    /// The bench initiative's comments counted as scored by the rollups.
    private func rolledUp(_ client: PostgresClient, _ initiative: Int64) async throws -> Int {
        try await client.query("SELECT coalesce(sum(scored), 0)::int8 FROM rollup_daily WHERE initiative_id = \(initiative)").one().decode(
            Int.self,
            at: 0
        )
    }

    private func report(_ client: PostgresClient, _ elapsed: Double, _ pushed: Int) async throws {
        let row = try await client.query("SELECT count(*), pg_total_relation_size('jobs') FROM jobs").one()
        let (rows, size) = try row.decode((Int, Int).self)
        print(String(format: "%7.1f %8d %10d %13d kB", elapsed, pushed, rows, size / 1024))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Commits seen by the rate run and what the rollups counted when: the lag of commit n is the
/// time from its commit to the first observation counting at least n scored comments.
private actor Committed {
    private var commitTimes: [Double] = []
    private var observations: [(at: Double, rolled: Int)] = []

    var count: Int { commitTimes.count }

    func add(at seconds: Double) { commitTimes.append(seconds) }

    func observe(at seconds: Double, rolled: Int) { observations.append((seconds, rolled)) }

    /// Every 10th commit's lag (commits arrive out of order across writers; the nth commit is
    /// the nth by time).
    func lags() -> [Double] {
        let times = commitTimes.sorted()
        var result: [Double] = []
        var o = 0
        for n in stride(from: 0, to: times.count, by: 10) {
            while o < observations.count && (observations[o].rolled < n + 1 || observations[o].at < times[n]) { o += 1 }
            guard o < observations.count else { break }
            result.append(observations[o].at - times[n])
        }
        return result
    }

    var unrolled: Int {
        let rolled = observations.last?.rolled ?? 0
        return max(0, count - rolled)
    }
}
