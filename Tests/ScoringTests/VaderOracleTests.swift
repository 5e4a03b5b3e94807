import Foundation
import Scoring
import Testing

/// Scores of vaderSentiment 3.3.2 on 5,200 generated texts (see `Fixtures/make_vader_oracle.py`).
@Suite("VADER oracle")
struct VaderOracleTests {
    struct Case: Decodable {
        let text: String
        let scores: SentimentScores
    }

    static func cases() throws -> [Case] {
        let url = try #require(Bundle.module.url(forResource: "vader_oracle", withExtension: "jsonl", subdirectory: "Fixtures"))
        let decoder = JSONDecoder()
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try decoder.decode(Case.self, from: Data($0.utf8))
        }
    }

    @Test func matchesTheReferenceImplementation() throws {
        let vader = try VaderSentiment.bundled()
        let normalizer = TextNormalizer()
        let cases = try Self.cases()
        #expect(cases.count >= 5_000)
        var compoundClose = 0
        var exact = 0
        var mismatches: [String] = []
        for item in cases {
            let scores = vader.polarityScores(normalizer.normalize(item.text))
            if abs(scores.compound - item.scores.compound) <= 0.001 { compoundClose += 1 }
            if scores == item.scores { exact += 1 }
            let proportionsClose =
                abs(scores.neg - item.scores.neg) <= 0.002
                && abs(scores.neu - item.scores.neu) <= 0.002 && abs(scores.pos - item.scores.pos) <= 0.002
            if !proportionsClose || abs(scores.compound - item.scores.compound) > 0.001 {
                mismatches.append("\(item.text.debugDescription): ours \(scores) reference \(item.scores)")
            }
        }
        // Stricter than the acceptance bar: identical to the reference after Python's rounding.
        #expect(exact == cases.count, "identical scores for \(exact)/\(cases.count)")
        let share = Double(compoundClose) / Double(cases.count)
        #expect(share >= 0.995, "compound within 0.001 for \(compoundClose)/\(cases.count)")
        #expect(mismatches.count == 0, "\(mismatches.count) differ:\n\(mismatches.prefix(20).joined(separator: "\n"))")
    }

    @Test func knownExamplesFromThePaper() throws {
        let vader = try VaderSentiment.bundled()
        #expect(vader.polarityScores("VADER is smart, handsome, and funny.") == SentimentScores(neg: 0, neu: 0.254, pos: 0.746, compound: 0.8316))
        #expect(vader.polarityScores("").compound == 0)
        #expect(vader.polarityScores("   ") == SentimentScores(neg: 0, neu: 0, pos: 0, compound: 0))
    }
}
