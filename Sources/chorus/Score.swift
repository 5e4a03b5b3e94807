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

    @Option(help: "Cores to score on (output order is kept).")
    var jobs = 1

    func run() throws {
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 256") }
        var configured = try TextScorer(themes: try parsedThemes())
        configured.keyphraseCount = max(0, keyphrases)
        let scorer = configured
        let descriptor: Int32
        if let file {
            descriptor = open(file, O_RDONLY)
            guard descriptor >= 0 else { throw ValidationError("cannot open \(file): \(String(cString: strerror(errno)))") }
        } else {
            descriptor = STDIN_FILENO
        }
        defer { if file != nil { close(descriptor) } }
        var reader = LineReader(descriptor: descriptor)
        var output = StandardOutput()
        var lineNumber = 0
        var failures = 0
        // Lines are scored a batch at a time, the batch split among the cores; each part's
        // output is written in input order.
        let batchSize = 512 * jobs
        var batch: [LineReader.Line] = []
        batch.reserveCapacity(batchSize)
        while true {
            batch.removeAll(keepingCapacity: true)
            while batch.count < batchSize, let line = try reader.next() { batch.append(line) }
            if batch.isEmpty { break }
            let parts = min(jobs, batch.count)
            let results = ScoredParts(count: parts)
            let first = lineNumber + 1
            let lines = batch
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let range = (lines.count * part / parts)..<(lines.count * (part + 1) / parts)
                results.set(part, score(lines[range], firstLine: first + range.lowerBound, scorer: scorer))
            }
            for part in 0..<parts {
                let (bytes, failed) = results.get(part)
                output.write(bytes)
                failures += failed
            }
            lineNumber += batch.count
        }
        output.flush()
        if failures > 0 {
            FileHandle.standardError.write(Data("chorus score: \(failures) line(s) could not be scored\n".utf8))
            throw ExitCode(1)
        }
    }

    /// The output lines of `lines` (numbered from `firstLine`), and how many failed.
    func score(_ lines: ArraySlice<LineReader.Line>, firstLine: Int, scorer: TextScorer) -> ([UInt8], Int) {
        var out = JSONLines.Writer()
        var failures = 0
        for (offset, line) in lines.enumerated() {
            let result: ScoreLine
            switch line {
            case .tooLong:
                result = .failure(line: firstLine + offset, error: "line longer than 4 MiB")
            case .text(let raw):
                var text = raw
                var formLanguage = language
                if jsonl {
                    do {
                        let request = try JSONLines.request(raw)
                        text = request.text
                        formLanguage = request.language ?? language
                    } catch {
                        result = .failure(line: firstLine + offset, error: #"not a JSON object with a "text" string"#)
                        break
                    }
                }
                let (score, explanation) = scorer.scoreWithExplanation(text, formLanguage: formLanguage)
                result = .score(score, explanation: explain ? explanation : nil)
            }
            if case .failure = result { failures += 1 }
            result.write(to: &out)
            out.bytes.append(UInt8(ascii: "\n"))
        }
        return (out.bytes, failures)
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

/// Each part's output lines of a batch, filled from several threads (one slot each).
final class ScoredParts: @unchecked Sendable {
    private var slots: [([UInt8], Int)]
    private let lock = NSLock()

    init(count: Int) { slots = Array(repeating: ([], 0), count: count) }

    func set(_ index: Int, _ value: ([UInt8], Int)) { lock.withLock { slots[index] = value } }
    func get(_ index: Int) -> ([UInt8], Int) { lock.withLock { slots[index] } }
}

/// Buffered standard output: one write per 64 KiB rather than per line.
struct StandardOutput {
    private var buffer = Data()

    mutating func write(_ lines: [UInt8]) {
        buffer.append(contentsOf: lines)
        if buffer.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        FileHandle.standardOutput.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
