import ArgumentParser
import Foundation
import Scoring

struct Score: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score texts for language, sentiment, keyphrases and themes; one JSON object per line.",
        discussion: """
            Reads one text per line (or, with --jsonl, one JSON object with a "text" field and an \
            optional "language", the form's, per line) from FILE or standard input, and writes one JSON \
            object per input line. A text in a language without a sentiment model has no "sentiment" \
            and "sentiment_scored": false. Needs no database. \
            Invalid UTF-8 is replaced with U+FFFD; a line that cannot be scored (bad JSON, over 4 MiB) \
            gets {"line": N, "error": "..."} and the exit status is 1.
            """
    )

    @Argument(help: "Input file (default: standard input).")
    var file: String?

    @Flag(help: "Each input line is a JSON object with a \"text\" field.")
    var jsonl = false

    @Option(name: .customLong("theme"), help: "A theme and its keywords: name=word,word (repeatable).")
    var themes: [String] = []

    @Option(help: "How many keyphrases per text.")
    var keyphrases = 10

    @Flag(help: "Add the tokens that carried sentiment and their valences.")
    var explain = false

    @Option(help: "The language of the form the texts were written in (BCP 47): a text too short to identify is taken to be in it.")
    var language: String?

    struct Output: Encodable {
        let language: String
        let languageConfidence: Double
        let sentiment: SentimentScores?
        let sentimentScored: Bool
        let keyphrases: [Keyphrase]
        let themes: [ThemeMatch]
        let version: String
        let explanation: [TokenContribution]?

        enum CodingKeys: String, CodingKey {
            case language, sentiment, keyphrases, themes, version, explanation
            case languageConfidence = "language_confidence"
            case sentimentScored = "sentiment_scored"
        }
    }

    struct Failure: Encodable {
        let line: Int
        let error: String
    }

    func run() throws {
        var scorer = try TextScorer(themes: try parsedThemes())
        scorer.keyphraseCount = max(0, keyphrases)
        let descriptor: Int32
        if let file {
            descriptor = open(file, O_RDONLY)
            guard descriptor >= 0 else { throw ValidationError("cannot open \(file): \(String(cString: strerror(errno)))") }
        } else {
            descriptor = STDIN_FILENO
        }
        defer { if file != nil { close(descriptor) } }
        var reader = LineReader(descriptor: descriptor)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        var output = StandardOutput()
        var lineNumber = 0
        var failures = 0
        while let line = try reader.next() {
            lineNumber += 1
            let data: Data
            switch line {
            case .tooLong:
                failures += 1
                data = try encoder.encode(Failure(line: lineNumber, error: "line longer than 4 MiB"))
            case .text(let raw):
                var text = raw
                var formLanguage = language
                if jsonl {
                    do {
                        let request = try ScoreRequestLine.request(of: raw)
                        text = request.text
                        formLanguage = request.language ?? language
                    } catch {
                        failures += 1
                        try output.write(encoder.encode(Failure(line: lineNumber, error: "not a JSON object with a \"text\" string")))
                        continue
                    }
                }
                let (score, explanation) = scorer.scoreWithExplanation(text, formLanguage: formLanguage)
                data = try encoder.encode(
                    Output(
                        language: score.language,
                        languageConfidence: score.languageConfidence,
                        sentiment: score.sentiment,
                        sentimentScored: score.sentiment != nil,
                        keyphrases: score.keyphrases,
                        themes: score.themes,
                        version: score.version,
                        explanation: explain ? explanation : nil
                    )
                )
            }
            try output.write(data)
        }
        output.flush()
        if failures > 0 {
            FileHandle.standardError.write(Data("chorus score: \(failures) line(s) could not be scored\n".utf8))
            throw ExitCode(1)
        }
    }

    func parsedThemes() throws -> [Theme] {
        try themes.map { spec in
            let parts = spec.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw ValidationError("--theme must look like name=word,word (got \(spec))")
            }
            return Theme(name: String(parts[0]), keywords: parts[1].split(separator: ",").map(String.init))
        }
    }
}

/// Buffered standard output: one write per 64 KiB rather than per line.
struct StandardOutput {
    private var buffer = Data()

    mutating func write(_ line: Data) throws {
        buffer.append(line)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        FileHandle.standardOutput.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
