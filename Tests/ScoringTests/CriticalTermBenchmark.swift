import Foundation
import Testing

@testable import Scoring

/// Issue 17, A6: recall and precision of the critical terms on the team's labeled set
/// (Deploy/bench/critical_set.py), per language and per kind of text. A measurement, not a
/// pass/fail test: it runs when Deploy/bench/critical sets CHORUS_CRITICAL_SET to the set's file.
@Suite("Critical-term benchmark (Deploy/bench/critical)")
struct CriticalTermBenchmark {
    struct Row: Decodable {
        var language: String
        var text: String
        var critical: Bool
        var kind: String
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["CHORUS_CRITICAL_SET"] != nil))
    func recallAndPrecisionPerLanguage() throws {
        let path = try #require(ProcessInfo.processInfo.environment["CHORUS_CRITICAL_SET"])
        let rows = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Row.self, from: Data($0.utf8))
        }
        let matcher = CriticalTerms()
        var lines = ["language  texts  recall  precision  recall(terms)  recall(misspelled)  recall(paraphrase)"]
        for language in ["en", "es", "fr", "vi", "zh-Hans", "ar"] {
            let mine = rows.filter { $0.language == language }
            let flagged = mine.map { !matcher.matches($0.text).isEmpty }
            let tp = zip(mine, flagged).filter { $0.0.critical && $0.1 }.count
            let fp = zip(mine, flagged).filter { !$0.0.critical && $0.1 }.count
            let positives = mine.filter(\.critical).count
            func recall(_ kind: String) -> String {
                let of = zip(mine, flagged).filter { $0.0.kind == kind }
                guard !of.isEmpty else { return "—" }
                return String(format: "%.3f", Double(of.filter { $0.1 }.count) / Double(of.count))
            }
            lines.append(
                String(
                    format: "%-9@ %5d  %6.3f  %9.3f  %13@  %18@  %18@",
                    language as NSString,
                    mine.count,
                    Double(tp) / Double(max(positives, 1)),
                    tp + fp == 0 ? 0 : Double(tp) / Double(tp + fp),
                    recall("term") as NSString,
                    recall("misspelled") as NSString,
                    recall("paraphrase") as NSString
                )
            )
        }
        print(lines.joined(separator: "\n"))
        #expect(rows.count >= 1_200)
    }
}
