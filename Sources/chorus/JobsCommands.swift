import ArgumentParser
import Engagement
import Foundation
import Jobs
import Postgres
import Scoring

struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Job counts by kind and state, the oldest waiting job's age, and recent failures."
    )
    @OptionGroup var database: DatabaseOptions
    @Flag(help: "Print JSON (the same figures as GET /api/v1/jobs/stats).") var json = false

    func run() async throws {
        try await database.withClient { client in
            let stats = try await JobQueue().statistics(on: client)
            if json {
                try DatabaseOptions.printJSON(stats)
                return
            }
            print("kind\tstate\tcount")
            for count in stats.counts { print("\(count.kind)\t\(count.state)\t\(count.count)") }
            print("oldest waiting: " + (stats.oldestWaitingSeconds.map { String(format: "%.1f s", $0) } ?? "none"))
            for failure in stats.recentFailures {
                print("failed \(failure.kind) #\(failure.id) (\(failure.state), attempt \(failure.attempt)): \(failure.error.prefix(200))")
            }
        }
    }
}

struct Rescore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-score texts after a scorer or lexicon change: enqueue them, then work through them here with a progress bar."
    )
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var workerOptions: WorkerOptions
    @Option(help: "Only this initiative (slug).") var initiative: String?
    @Option(help: "Only texts since this date (YYYY-MM-DD).") var since: String?
    @Flag(help: "Re-score every matching text, not only those without a current-version score.") var all = false

    func run() async throws {
        var sinceDate: Date?
        if let since {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd"
            guard let date = formatter.date(from: since) else { throw ValidationError("--since must be a date YYYY-MM-DD") }
            sinceDate = date
        }
        try await database.withClient { client in
            var initiativeID: Int64?
            if let initiative {
                guard let row = try await client.query("SELECT id FROM initiatives WHERE slug = \(initiative)").first else {
                    throw ValidationError("no initiative with slug \(initiative)")
                }
                initiativeID = try row.decode(Int64.self, at: 0)
            }
            let started = ContinuousClock.now
            let queued = try await TextScoring.enqueueRescore(initiativeID: initiativeID, since: sinceDate, all: all, on: client)
            let processor = try workerOptions.processor(database: client, logger: database.makeLogger())
            let scoring = TextScoring.kind
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await processor.run() }
                while true {
                    let left = try await client.query(
                        "SELECT count(*) FROM jobs WHERE kind = \(scoring) AND state IN ('available', 'running', 'retryable')"
                    ).one().decode(Int.self, at: 0)
                    Progress.show("Scoring", queued - min(queued, left), of: queued)
                    if left == 0 { break }
                    try await Task.sleep(for: .milliseconds(250))
                }
                group.cancelAll()
            }
            Progress.done()
            let failed = try await client.query(
                "SELECT count(*) FROM jobs WHERE kind = \(scoring) AND state = 'discarded' AND completed_at >= now() - interval '1 hour'"
            ).one().decode(Int.self, at: 0)
            let seconds = Double((ContinuousClock.now - started).components.seconds)
            print("Re-scored \(queued) text(s) with \(TextScorer.version) in \(Int(seconds)) s; \(failed) failed (see `chorus jobs`).")
        }
    }
}
