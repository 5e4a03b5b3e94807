import Foundation
import Testing

@testable import Scoring

/// Issue 19, A5: the JSON-lines codec of `chorus score` held to Foundation. The reader must
/// accept exactly the lines JSONDecoder accepts for `{"text": String, "language": String?}`,
/// with the same values; the writer must give JSONEncoder's bytes. Lines are generated from a
/// fixed seed (printed), valid ones and hostile mutations of them.
@Suite("JSON lines codec against Foundation (property)")
struct JSONLinesTests {
    struct Request: Decodable, Equatable {
        let text: String
        let language: String?
    }

    /// SplitMix64: the same lines on every run.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seed: UInt64 = 0x1919_2026

    /// Characters a JSON string may hold, hostile ones well represented.
    static let alphabet: [String] = [
        "a", "b", "z", " ", "/", "\"", "\\", "\n", "\t", "\u{01}", "\u{1F}", "\u{7F}", "é", "ñ", "ệ", "中", "😀", "\u{2028}", "\u{FFFD}",
        "\u{FEFF}", "{", "}", "[", "]", ":", ",", "0", "e",
    ]

    static func randomString(_ random: inout Generator) -> String {
        String((0..<Int.random(in: 0...12, using: &random)).map { _ in Self.alphabet.randomElement(using: &random)! }.joined())
    }

    /// A string literal for `value`: each character written plainly or escaped in one of the ways JSON allows.
    static func literal(_ value: String, _ random: inout Generator) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            let choice = Int.random(in: 0..<4, using: &random)
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += choice == 0 ? "\\u000a" : "\\n"
            case "\t": out += choice == 0 ? "\\u0009" : "\\t"
            case "/": out += choice == 0 ? "\\/" : "/"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04X", scalar.value)
            case _ where choice == 0 && scalar.value > 0xFFFF:
                let v = scalar.value - 0x10000
                out += String(format: "\\u%04x\\u%04X", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
            case _ where choice == 0: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func space(_ random: inout Generator) -> String {
        [" ", "", "", "", "\t", "\n", "\r", "  "].randomElement(using: &random)!
    }

    static func value(_ random: inout Generator, depth: Int) -> String {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &random) {
        case 0: return literal(randomString(&random), &random)
        case 1: return ["0", "-1", "12.5", "1e10", "-0.25E-3", "123456789012345678901234567890"].randomElement(using: &random)!
        case 2: return ["true", "false", "null"].randomElement(using: &random)!
        case 3: return literal(randomString(&random), &random)
        case 4: return ["[]", "{}"].randomElement(using: &random)!
        case 5:
            let items = (0..<Int.random(in: 0...3, using: &random)).map { _ in value(&random, depth: depth + 1) }
            return "[" + items.joined(separator: ",\(space(&random))") + "]"
        default:
            let members = (0..<Int.random(in: 0...3, using: &random)).map { _ in
                literal(randomString(&random), &random) + ":" + value(&random, depth: depth + 1)
            }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    /// A request line: usually valid, with `text`, maybe `language`, other members in any order.
    static func requestLine(_ random: inout Generator) -> String {
        var members: [String] = []
        if Int.random(in: 0..<10, using: &random) > 0 { members.append("\"text\":" + literal(randomString(&random), &random)) }
        switch Int.random(in: 0..<5, using: &random) {
        case 0: members.append(#""language":"# + literal(["es", "en", "vi", "", "zh-Hans"].randomElement(using: &random)!, &random))
        case 1: members.append(#""language":null"#)
        case 2: members.append(#""language":"# + value(&random, depth: 0))
        default: break
        }
        for _ in 0..<Int.random(in: 0...3, using: &random) {
            let key =
                Int.random(in: 0..<6, using: &random) == 0
                ? ["\"text\"", "\"language\"", "\"te\\u0078t\""].randomElement(using: &random)! : literal(randomString(&random), &random)
            members.append(key + ":" + space(&random) + value(&random, depth: 0))
        }
        members.shuffle(using: &random)
        let body = members.map { space(&random) + $0 + space(&random) }.joined(separator: ",")
        return space(&random) + "{" + body + (Int.random(in: 0..<20, using: &random) == 0 ? "," : "") + "}" + space(&random)
    }

    /// A hostile change to a line: bytes dropped, repeated, replaced, or the line cut short.
    static func mutate(_ line: String, _ random: inout Generator) -> String {
        var scalars = Array(line.unicodeScalars)
        let hostile: [Unicode.Scalar] = [
            "{", "}", "[", "]", ",", ":", "\"", "\\", "u", "d", "8", "0", "-", ".", "e", "+", "t", "n", " ", "\u{00}", "\u{FEFF}", "x",
        ]
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            guard !scalars.isEmpty else { break }
            let at = Int.random(in: 0..<scalars.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: scalars.remove(at: at)
            case 1: scalars.insert(hostile.randomElement(using: &random)!, at: at)
            case 2: scalars[at] = hostile.randomElement(using: &random)!
            default: scalars.removeSubrange(at...)
            }
        }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars)
        return out
    }

    static func foundation(_ line: String) -> Request? {
        try? JSONDecoder().decode(Request.self, from: Data(line.utf8))
    }

    static func ours(_ line: String) -> Request? {
        (try? JSONLines.request(line)).map { Request(text: $0.text, language: $0.language) }
    }

    @Test func theReaderAgreesWithFoundationOnGeneratedAndHostileLines() {
        var random = Generator(state: Self.seed)
        var (valid, rejected, disagreements) = (0, 0, [String]())
        for n in 0..<120_000 {
            var line = Self.requestLine(&random)
            if n % 2 == 1 { line = Self.mutate(line, &random) }
            let expected = Self.foundation(line)
            if expected == nil { rejected += 1 } else { valid += 1 }
            if Self.ours(line) != expected, disagreements.count < 10 {
                disagreements.append(
                    "\(line.debugDescription): Foundation \(String(describing: expected)), ours \(String(describing: Self.ours(line)))"
                )
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
        // Both kinds were exercised in bulk.
        #expect(valid > 40_000 && rejected > 20_000, "valid \(valid), rejected \(rejected)")
        print("JSON lines reader: 120,000 lines (seed \(Self.seed)), \(valid) accepted and \(rejected) rejected, as Foundation did")
    }

    @Test func hostileShapesAgreeAndNeverTrap() {
        let deep = { (n: Int) in "{\"text\":\"a\",\"x\":" + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "}" }
        let lines = [
            deep(510), deep(511), deep(512), deep(100_000),
            "{\"text\":\"a\",\"x\":" + String(repeating: "{\"y\":", count: 600) + "1" + String(repeating: "}", count: 600) + "}",
            "", " ", "{", "}", "\"text\"", "{\"text\"", "{\"text\":", "{\"text\":\"", "{\"text\":\"\\", "{\"text\":\"\\u", "{\"text\":\"\\ud83d\"}",
            "{\"text\":\"\\ud83d\\u0041\"}", "{\"text\":\"\\udc00\"}", "{\"text\":\"\\u0000\"}", "\u{FEFF}{\"text\":\"bom\"}",
            "\u{FEFF}\u{FEFF}{\"text\":\"a\"}",
            "{\"text\":\"a\",}", "{\"text\":\"a\",\"x\":[1,]}", "{\"text\":\"a\",\"x\":01}", "{\"text\":\"a\",\"x\":1true}",
            "{\"text\":\"a\",\"x\":\"\\q\"}",
            "{\"text\":\"a\",\"text\":5}", "{\"text\":5,\"text\":\"a\"}", "{\"language\":\"es\",\"language\":7,\"text\":\"a\"}", "[{\"text\":\"a\"}]",
            "{\"text\":\"" + String(repeating: "\\\"", count: 100_000) + "\"}",
        ]
        for line in lines {
            #expect(Self.ours(line) == Self.foundation(line), "\(line.prefix(80).debugDescription)")
        }
    }

    static func double(_ random: inout Generator) -> Double {
        switch Int.random(in: 0..<5, using: &random) {
        case 0: return Double(Int.random(in: -5...5, using: &random))
        case 1: return (Double.random(in: -1...1, using: &random) * 1000).rounded() / 1000
        case 2:
            return [0.0, -0.0, 1e-05, 1e21, Double.leastNonzeroMagnitude, 1.7976931348623157e308, 0.30000000000000004].randomElement(using: &random)!
        case 3: return Double(bitPattern: random.next() & ~(0x7FF << 52) | (UInt64.random(in: 900...1100, using: &random) << 52))
        default: return Double.random(in: -1e6...1e6, using: &random)
        }
    }

    static func scoreLine(_ random: inout Generator) -> ScoreLine {
        if Int.random(in: 0..<10, using: &random) == 0 {
            return .failure(line: Int.random(in: 1...10_000_000, using: &random), error: randomString(&random))
        }
        let score = TextScore(
            language: randomString(&random),
            languageConfidence: double(&random),
            sentiment: Bool.random(using: &random)
                ? SentimentScores(neg: double(&random), neu: double(&random), pos: double(&random), compound: double(&random)) : nil,
            keyphrases: (0..<Int.random(in: 0...4, using: &random)).map { _ in Keyphrase(phrase: randomString(&random), score: double(&random)) },
            themes: (0..<Int.random(in: 0...2, using: &random)).map { _ in
                ThemeMatch(theme: randomString(&random), matched: (0..<Int.random(in: 0...2, using: &random)).map { _ in randomString(&random) })
            },
            version: TextScorer.version
        )
        let explanation =
            Bool.random(using: &random)
            ? (0..<Int.random(in: 0...3, using: &random)).map { _ in TokenContribution(token: randomString(&random), valence: double(&random)) } : nil
        return .score(score, explanation: explanation)
    }

    @Test func theWriterWritesJSONEncodersBytes() throws {
        var random = Generator(state: Self.seed)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var differences: [String] = []
        for _ in 0..<100_000 {
            let line = Self.scoreLine(&random)
            var writer = JSONLines.Writer()
            line.write(to: &writer)
            let expected = try encoder.encode(line)
            if Data(writer.bytes) != expected, differences.count < 5 {
                differences.append(
                    "ours:       \(String(decoding: writer.bytes, as: UTF8.self))\nFoundation: \(String(decoding: expected, as: UTF8.self))"
                )
            }
        }
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
    }
}
