import ArgumentParser
import Engagement
import Foundation
import Postgres

/// Survey results latency at district scale (see Deploy/bench/results, which loads
/// `chorus demo --scale district` first): every survey's full results and its cross-tab by
/// school, as the API runs them (one REPEATABLE READ transaction each), from the rollups, beside
/// the same results from the records, the reference the rollups replace.
struct BenchResults: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "results", abstract: "Survey results latency, rollups against records.")

    @OptionGroup var database: DatabaseOptions
    @Option(help: "Rounds over every survey.") var rounds = 3
    @Option(help: "Surveys measured from the records as well (each takes a while at district scale).") var reference = 3

    func run() async throws {
        try await database.withClient { client in
            try await WorkerOptions.requireCurrentSchema(database: database, client: client, logger: database.makeLogger())
            let counts = try await client.query(
                "SELECT (SELECT count(*) FROM responses), (SELECT count(*) FROM answers), (SELECT count(*) FROM surveys)"
            ).one().decode((Int, Int, Int).self)
            print("data: \(counts.0) responses, \(counts.1) answers, \(counts.2) surveys")
            let surveys = try await client.query(
                "SELECT survey_id, count(*)::int FROM responses GROUP BY survey_id ORDER BY count(*) DESC, survey_id"
            ).map { try $0.decode((Int64, Int).self) }
            guard let largest = surveys.first else { throw ValidationError("no responses: load `chorus demo --scale district` first") }
            print("surveys with responses: \(surveys.count); the largest has \(largest.1) responses")
            let clock = try await client.withConnection { try await DistrictClock.current(on: $0) }
            let year = try ScorecardQuery.period(named: "year", now: try await BenchScorecards.lastActivity(client), clock: clock)
            func timed(_ source: Scorecards.Source, _ query: ResultsQuery) async throws -> Double {
                let start = ContinuousClock.now
                try await client.withTransaction(isolation: .repeatableRead) { _ = try await Results(source: source).results(query, on: $0) }
                return BenchScorecards.milliseconds(ContinuousClock.now - start)
            }
            let ids = surveys.map(\.0)
            _ = try await timed(.rollups, ResultsQuery(surveyID: ids[0]))  // warm the cache and the connection
            var measured: [String: [Double]] = [:]
            let kinds: [(String, (Int64) -> ResultsQuery)] = [
                ("full results", { ResultsQuery(surveyID: $0) }),
                ("cross-tab by school", { ResultsQuery(surveyID: $0, by: .school) }),
                ("school year, by group", { ResultsQuery(surveyID: $0, from: year.from, to: year.to, by: .group) }),
            ]
            for _ in 0..<rounds {
                for id in ids {
                    for (name, query) in kinds { measured[name, default: []].append(try await timed(.rollups, query(id))) }
                }
            }
            var references: [String: [Double]] = [:]
            for id in ids.prefix(reference) {
                for (name, query) in kinds.prefix(2) { references[name, default: []].append(try await timed(.records, query(id))) }
            }
            print("measure                      n     p50 ms   p95 ms   max ms   target")
            BenchScorecards.row("full results", measured["full results"] ?? [], target: "p95 < 100 ms")
            BenchScorecards.row("cross-tab by school", measured["cross-tab by school"] ?? [], target: "p95 < 200 ms")
            BenchScorecards.row("school year, by group", measured["school year, by group"] ?? [], target: "")
            BenchScorecards.row("full, from records", references["full results"] ?? [], target: "reference")
            BenchScorecards.row("by school, from records", references["cross-tab by school"] ?? [], target: "reference")
            for name in ["full results", "cross-tab by school"] {
                guard let reference = references[name], let rollups = measured[name] else { continue }
                print(
                    String(
                        format: "rollups are %.1f× faster than the records for %@ (p50)",
                        BenchScorecards.percentile(reference, 0.5) / BenchScorecards.percentile(rollups, 0.5),
                        name
                    )
                )
            }
        }
    }
}
