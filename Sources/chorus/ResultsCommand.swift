import ArgumentParser
import CSV
import Engagement
import Foundation
import Postgres

struct ResultsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "results",
        abstract: "A survey's results question by question, as a table, JSON or CSV.",
        discussion: "JSON is the body of GET /api/v1/surveys/{id}/results for the same query. Counts under 10 are suppressed."
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The survey id.") var survey: Int64
    @OptionGroup var slice: SliceOptions
    @Option(help: "Only answers given in this language.") var language: String?
    @Option(help: "Break every question down by school, group or language.") var by: String?

    func run() async throws {
        let dimension = try by.map { name in
            guard let parsed = ResultsQuery.Dimension(rawValue: name) else { throw ValidationError("--by must be school, group or language") }
            return parsed
        }
        try await database.withClient { client in
            let clock = try await client.withConnection { try await DistrictClock.current(on: $0) }
            // Without --from and --to, every answer.
            let range = try slice.range(clock)
            let query = ResultsQuery(
                surveyID: survey,
                from: range?.from,
                to: range?.to,
                schoolID: slice.school,
                cluster: slice.cluster,
                group: try slice.stakeholder(),
                language: language,
                by: dimension
            )
            let results: SurveyResults
            do {
                results = try await client.withTransaction(isolation: .repeatableRead) { try await Results().results(query, on: $0) }
            } catch let error as EngagementError {
                throw ValidationError(error.detail)
            }
            switch slice.format {
            case "json": print(String(decoding: try SurveyResults.encoder.encode(results), as: UTF8.self))
            case "csv": try ResultsText.csv(results)
            default: print(ResultsText.table(results))
            }
        }
    }
}

/// Results for people: a terminal table, and a long CSV (one figure per row) for spreadsheets.
enum ResultsText {
    static func text(_ value: Double?, _ digits: Int = 2) -> String { value.map { String(format: "%.\(digits)f", $0) } ?? "–" }
    static func count(_ value: Int?) -> String { value.map(String.init) ?? "<10" }

    static func table(_ results: SurveyResults) -> String {
        var lines = ["\(results.survey.title.text("en", fallback: "en")) — \(count(results.responses)) responses"]
        for question in results.questions {
            lines.append("")
            lines.append("Q\(question.position) \(question.prompt.text("en", fallback: "en")) [\(question.kind)]")
            for (name, figures) in [("all", question.overall)]
                + (question.slices ?? []).map({ slice in
                    (results.slices?.first { $0.key == slice.key }?.name ?? slice.key, slice.figures)
                })
            {
                var line = "  \(name.isEmpty ? "no school" : name): answered \(count(figures.answered)), skipped \(count(figures.skipped))"
                if let mean = figures.mean { line += ", mean \(text(mean)) [\(text(figures.meanLow)), \(text(figures.meanHigh))]" }
                if let top2 = figures.top2Share { line += ", top-2 \(text(top2 * 100, 1))%" }
                if let nps = figures.nps { line += ", NPS \(text(nps.score, 1)) ± \(text(nps.margin, 1))" }
                if let sentiment = figures.sentiment?.meanCompound { line += ", sentiment \(text(sentiment, 3))" }
                lines.append(line)
                lines.append("    " + figures.points.map { "\($0.value): \(count($0.count))" }.joined(separator: "  "))
            }
            if let trend = question.previous, let change = trend.change {
                lines.append(
                    "  previous wave \(trend.measure) \(text(trend.previous, 3)) → \(text(trend.current, 3)) (\(change >= 0 ? "+" : "")\(text(change, 3))\(trend.beyondMargin == true ? ", beyond the margin" : ""))"
                )
            }
            for topic in question.themes ?? [] { lines.append("  theme \(topic.name): \(topic.mentions)") }
        }
        let low = results.responseRates.schools.filter(\.belowHalfMedian).map(\.code)
        lines.append("")
        lines.append(
            "Families per 100 enrolled: median \(text(results.responseRates.medianPer100Enrolled)); below half: \(low.isEmpty ? "none" : low.joined(separator: ", "))"
        )
        return lines.joined(separator: "\n")
    }

    static let csvHeader = ["question_id", "position", "kind", "slice", "measure", "value"]

    /// One figure per row: answered, skipped, mean, mean_low, mean_high, top2_share, nps,
    /// nps_margin, mean_compound, and count:VALUE and share:VALUE; empty where suppressed.
    static func csv(_ results: SurveyResults) throws {
        guard let output = OutputStream(toFileAtPath: "/dev/stdout", append: true) else { throw ValidationError("cannot write to standard output") }
        let writer = try CSVWriter(stream: output)
        try writer.write(row: csvHeader)
        for question in results.questions {
            for (slice, figures) in [("all", question.overall)] + (question.slices ?? []).map({ ($0.key, $0.figures) }) {
                func row(_ measure: String, _ value: String?) throws {
                    try writer.write(row: [String(question.id), String(question.position), question.kind, slice, measure, value ?? ""])
                }
                try row("answered", figures.answered.map(String.init))
                try row("skipped", figures.skipped.map(String.init))
                for point in figures.points {
                    try row("count:" + point.value, point.count.map(String.init))
                    try row("share:" + point.value, point.share.map { String($0) })
                }
                let numbers: [(String, Double?)] = [
                    ("mean", figures.mean), ("mean_low", figures.meanLow), ("mean_high", figures.meanHigh), ("top2_share", figures.top2Share),
                    ("nps", figures.nps?.score), ("nps_margin", figures.nps?.margin), ("mean_compound", figures.sentiment?.meanCompound),
                ]
                for (measure, value) in numbers where value != nil { try row(measure, value.map { String($0) }) }
            }
        }
        writer.stream.close()
    }
}
