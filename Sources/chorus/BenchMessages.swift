import ArgumentParser
import Engagement
import Foundation
import Jobs
import Logging
import Postgres
import Server

/// Outbox throughput and latency (see Deploy/bench/messages, which runs it against a loopback
/// SMTP server beside msmtp alone as the reference). A burst: N volunteers sign up in one
/// transaction, workers deliver their confirmations; messages per second, and commit → accepted
/// by the server per message. A trickle: one sign-up every 100 ms; commit → sent per message.
struct BenchMessages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "messages", abstract: "Outbox delivery throughput and latency.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "smtp:// URL of the server to deliver to (a loopback sink).") var smtp: String
    @Option(help: "Messages in the burst.") var count = 1000
    @Option(help: "Deliveries at once.") var concurrency = 8
    @Option(help: "Messages in the trickle (one every 100 ms).") var trickle = 50

    func run() async throws {
        try await database.withClient { client in
            try await WorkerOptions.requireCurrentSchema(database: database, client: client, logger: database.makeLogger())
            let logger = Logger(label: "bench") { _ in SwiftLogNoOpLogHandler() }
            let mail = Msmtp(settings: try .init(url: smtp, from: "Chorus bench <bench@chorus.invalid>", replyTo: nil))
            let configuration = MessageDelivery.Configuration(mail: mail, publicURL: "http://127.0.0.1:8080", texts: try MessageStrings.texts())
            let processor = JobProcessor(
                database: client,
                configuration: .init(concurrency: concurrency, pollInterval: .milliseconds(200)),
                handlers: try EngagementJobs.handlers(database: client, messages: configuration),
                logger: logger
            )
            let shift = try await client.withTransaction { db in
                let initiative = try await ReferenceData().createInitiative(
                    .init(slug: "bench-\(UUID().uuidString.prefix(8).lowercased())", title: Translated(["en": "Bench"])),
                    on: db
                )
                let starts = Date().addingTimeInterval(30 * 86_400)
                return try await Volunteering().createOpportunity(
                    .init(
                        initiativeID: initiative.id,
                        title: Translated(["en": "Benchmark shift"]),
                        description: Translated(),
                        schoolID: nil,
                        shifts: [.init(startsAt: starts, endsAt: starts.addingTimeInterval(3600), capacity: count + trickle + 10)]
                    ),
                    on: db
                ).shifts[0].id
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await processor.run() }
                // The burst.
                let (committed, first) = try await client.withTransaction { db in
                    let first = try await db.query("SELECT coalesce(max(id), 0) FROM outbox").one().decode(Int64.self, at: 0)
                    for n in 0..<count {
                        _ = try await Volunteering().signUp(
                            shiftID: shift,
                            group: .families,
                            contact: .init(email: "bench\(n)-\(UUID().uuidString.prefix(6))@example.org", consent: true),
                            on: db
                        )
                    }
                    return (Date(), first)
                }
                let started = ContinuousClock.now
                while try await client.query("SELECT count(*) FROM outbox WHERE id > \(first) AND state <> 'sent'").one().decode(Int.self, at: 0) > 0
                {
                    try await Task.sleep(for: .milliseconds(20))
                }
                let seconds = BenchScorecards.milliseconds(ContinuousClock.now - started) / 1000
                let burst = try await client.query(
                    "SELECT extract(epoch FROM sent_at - \(committed)::timestamptz)::float8 * 1000 FROM outbox WHERE id > \(first)"
                ).map { try $0.decode(Double.self, at: 0) }
                // The trickle.
                let last = try await client.query("SELECT max(id) FROM outbox").one().decode(Int64.self, at: 0)
                var commits: [Int64: Date] = [:]
                for n in 0..<trickle {
                    let id = try await client.withTransaction { db in
                        try await Volunteering().signUp(
                            shiftID: shift,
                            group: .families,
                            contact: .init(email: "trickle\(n)-\(UUID().uuidString.prefix(6))@example.org", consent: true),
                            on: db
                        ).id
                    }
                    commits[id] = Date()
                    try await Task.sleep(for: .milliseconds(100))
                }
                while try await client.query("SELECT count(*) FROM outbox WHERE id > \(last) AND state <> 'sent'").one().decode(Int.self, at: 0) > 0 {
                    try await Task.sleep(for: .milliseconds(20))
                }
                var latencies: [Double] = []
                for row in try await client.query(
                    "SELECT (data ->> 'signup')::bigint, extract(epoch FROM sent_at)::float8 FROM outbox WHERE id > \(last)"
                ) {
                    let (signup, sent) = try row.decode((Int64, Double).self)
                    if let commit = commits[signup] { latencies.append((sent - commit.timeIntervalSince1970) * 1000) }
                }
                group.cancelAll()
                print(
                    String(
                        format: "burst: %d messages in %.2f s = %.0f messages/s (%d at once)",
                        count,
                        seconds,
                        Double(count) / seconds,
                        concurrency
                    )
                )
                print("measure                      n     p50 ms   p95 ms   max ms")
                BenchScorecards.row("burst, commit → sent", burst, target: "")
                BenchScorecards.row("trickle, commit → sent", latencies, target: "")
            }
        }
    }
}
