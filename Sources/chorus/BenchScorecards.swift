import ArgumentParser
import Engagement
import Foundation
import Postgres

/// Scorecard latency at district scale (see Deploy/bench/scorecards, which loads
/// `chorus demo --scale district` into a scratch database first): every initiative's scorecard
/// and the district list for this school year, from the rollups, measured the way the API runs
/// them (one REPEATABLE READ transaction each), beside the same scorecards computed from the
/// records, the reference the rollups replace.
struct BenchScorecards: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scorecards", abstract: "Scorecard latency, rollups against records.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Rounds over every initiative (and of the district list).") var rounds = 5
    @Option(help: "Initiatives measured from the records (each takes seconds at district scale).") var reference = 3
    @Option(help: "A named period: week, month, quarter or year.") var period = "year"
    @Flag(name: .customLong("reference-list"), help: "Also compute the district list from the records (minutes at district scale).")
    var referenceList = false

    func run() async throws {
        try await database.withClient { client in
            // An older schema's jobs would never finish here (a kind without a handler retries).
            try await WorkerOptions.requireCurrentSchema(database: database, client: client, logger: database.makeLogger())
            let counts = try await client.query(
                """
                SELECT (SELECT count(*) FROM responses), (SELECT count(*) FROM attendance), (SELECT count(*) FROM signups),
                       (SELECT count(*) FROM initiatives), (SELECT count(*) FROM schools)
                """
            ).one().decode((Int, Int, Int, Int, Int).self)
            print("data: \(counts.0) responses, \(counts.1) attendance rows, \(counts.2) sign-ups, \(counts.3) initiatives, \(counts.4) schools")
            let clock = try await client.withConnection { try await DistrictClock.current(on: $0) }
            let range = try ScorecardQuery.period(named: period, now: try await Self.lastActivity(client), clock: clock)
            let ids = try await client.query("SELECT id FROM initiatives ORDER BY id").map { try $0.decode(Int64.self, at: 0) }
            guard !ids.isEmpty else { throw ValidationError("no initiatives: load `chorus demo --scale district` first") }
            func timed(_ source: Scorecards.Source, _ initiative: Int64?) async throws -> Double {
                let query = ScorecardQuery(initiativeID: initiative, from: range.from, to: range.to, clock: clock)
                let start = ContinuousClock.now
                try await client.withTransaction(isolation: .repeatableRead) { db in
                    if initiative == nil {
                        _ = try await Scorecards(source: source).all(query, on: db)
                    } else {
                        _ = try await Scorecards(source: source).scorecard(query, on: db)
                    }
                }
                return Self.milliseconds(ContinuousClock.now - start)
            }
            _ = try await timed(.rollups, ids[0])  // warm the cache and the connection
            var cards: [Double] = []
            var lists: [Double] = []
            for _ in 0..<rounds {
                for id in ids { cards.append(try await timed(.rollups, id)) }
                lists.append(try await timed(.rollups, nil))
            }
            var referenceCards: [Double] = []
            for id in ids.prefix(reference) { referenceCards.append(try await timed(.records, id)) }
            let referenceList = referenceList ? try await timed(.records, nil) : nil
            // What keeps the rollups current: recomputing one of the busiest days.
            let busiest = try await client.query(
                "SELECT day::text FROM rollup_daily WHERE initiative_id = 0 ORDER BY engagements DESC, day LIMIT 5"
            ).map { try $0.decode(String.self, at: 0) }
            var refreshes: [Double] = []
            for day in busiest {
                let start = ContinuousClock.now
                try await Rollups(database: client).refresh(day: day)
                refreshes.append(Self.milliseconds(ContinuousClock.now - start))
            }
            print("period \(period): \(range.from) – \(range.to)")
            print("measure                      n     p50 ms   p95 ms   max ms   target")
            Self.row("initiative scorecard", cards, target: "p95 < 50 ms")
            Self.row("district list", lists, target: "< 150 ms")
            Self.row("initiative, from records", referenceCards, target: "reference")
            if let referenceList { Self.row("district list, from records", [referenceList], target: "reference") }
            Self.row("day recomputation, busiest", refreshes, target: "worker time per refresh")
            if !referenceCards.isEmpty {
                print(
                    String(
                        format: "rollups are %.0f× faster than the records for a scorecard (p50)",
                        Self.percentile(referenceCards, 0.5) / Self.percentile(cards, 0.5)
                    )
                )
            }
            if let referenceList {
                print(String(format: "rollups are %.0f× faster than the records for the list (p50)", referenceList / Self.percentile(lists, 0.5)))
            }
        }
    }

    /// The bench measures the school year of the newest activity, so a demo loaded earlier still
    /// counts (the demo's activity ends at the day it was loaded).
    static func lastActivity(_ client: PostgresClient) async throws -> Date {
        try await client.query("SELECT coalesce(max(submitted_at), now()) FROM responses").one().decode(Date.self, at: 0)
    }

    static func milliseconds(_ elapsed: Duration) -> Double {
        Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    static func row(_ name: String, _ values: [Double], target: String) {
        guard !values.isEmpty else { return }
        print(
            name.padding(toLength: 27, withPad: " ", startingAt: 0)
                + String(format: "%4d %10.1f %8.1f %8.1f   ", values.count, percentile(values, 0.5), percentile(values, 0.95), values.max() ?? 0)
                + target
        )
    }
}
