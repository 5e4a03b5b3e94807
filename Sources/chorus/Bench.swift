import ArgumentParser
import Foundation
import Scoring

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks (see Deploy/bench/ for the side-by-side runs against reference implementations).",
        subcommands: [BenchScoring.self, BenchQueue.self, BenchScorecards.self, BenchResults.self, BenchMessages.self]
    )
}

/// Texts per second for sentiment and for keyphrases, single-threaded, over a corpus of one text
/// per line (or JSON lines with "text"). Prints one JSON object so scripts can compute ratios.
struct BenchScoring: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scoring", abstract: "Scoring throughput on one core.")

    @Option(help: "Corpus file: one text per line, or JSON lines with a \"text\" field.")
    var corpus: String

    @Option(help: "Minimum seconds to run each measurement.")
    var seconds = 3.0

    @Option(help: "Measure only this: sentiment or keyphrases (for profiling).")
    var only: String?

    func run() throws {
        let texts = try Self.load(corpus)
        guard !texts.isEmpty else { throw ValidationError("the corpus is empty") }
        let english = try VaderSentiment.bundled()
        let extractor = KeyphraseExtractor()
        let sentimentRate =
            only == "keyphrases" ? 0 : Self.measure(texts, seconds: seconds) { _ = english.polarityScores($0) }
        let keyphraseRate =
            only == "sentiment" ? 0 : Self.measure(texts, seconds: seconds) { _ = extractor.extract($0, language: .en, top: 10) }
        let result: [String: Double] = [
            "texts": Double(texts.count), "sentiment_texts_per_second": sentimentRate,
            "keyphrases_texts_per_second": keyphraseRate,
        ]
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func load(_ path: String) throws -> [String] {
        let content = try String(contentsOfFile: path, encoding: .utf8)
        return content.split(separator: "\n").map { line in
            if line.hasPrefix("{"), let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let text = object["text"] as? String
            {
                return text
            }
            return String(line)
        }
    }

    /// Whole passes over the corpus until `seconds` have elapsed; texts per second.
    static func measure(_ texts: [String], seconds: Double, _ body: (String) -> Void) -> Double {
        for text in texts.prefix(200) { body(text) }  // warm-up
        let clock = ContinuousClock()
        let start = clock.now
        var done = 0
        repeat {
            for text in texts { body(text) }
            done += texts.count
        } while (clock.now - start) < .seconds(seconds)
        let elapsed = clock.now - start
        return Double(done) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
