import Foundation
import PostgresTesting
import Synchronization
import Testing

/// Runs the built `chorus` executable as a user would.
@Suite("chorus score (CLI)")
struct ScoreCommandTests {
    static var executable: URL { ChildProcess.chorus }

    struct Run {
        var status: Int32
        var output: String
        var error: String
        /// The process's peak resident memory in kB, when measured.
        var peakKilobytes: Int
    }

    final class PeakMemory: Sendable {
        let kilobytes = Mutex(0)
    }

    static func run(_ arguments: [String], input: Data, measuringMemory: Bool = false) async throws -> Run {
        let peak = PeakMemory()
        // VmHWM is the process's own high-water mark; the last reading before exit is its peak.
        let measure: @Sendable (pid_t) -> Void = { pid in
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
            else { return }
            peak.kilobytes.withLock { $0 = max($0, kilobytes) }
        }
        let finished = try await ChildProcess.run(arguments, input: input, whileRunning: measuringMemory ? measure : nil)
        return Run(
            status: finished.status,
            output: finished.text,
            error: String(decoding: finished.errors, as: UTF8.self),
            peakKilobytes: peak.kilobytes.withLock { $0 }
        )
    }

    static func objects(_ output: String) throws -> [[String: Any]] {
        try output.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func oneObjectPerLineWithTheDocumentedShape() async throws {
        let input = "The teacher is wonderful!\nLa comida es horrible.\n\n"
        let run = try await Self.run(["score", "--theme", "food=comida,lunch"], input: Data(input.utf8))
        #expect(run.status == 0)
        let objects = try Self.objects(run.output)
        #expect(objects.count == 3)
        let first = objects[0]
        #expect(first["language"] as? String == "en")
        let sentiment = try #require(first["sentiment"] as? [String: Double])
        #expect(Set(sentiment.keys) == ["neg", "neu", "pos", "compound"])
        #expect(sentiment["compound"]! > 0)
        #expect(first["keyphrases"] is [[String: Any]])
        #expect(first["version"] as? String != nil)
        #expect(objects[1]["language"] as? String == "es")
        #expect((objects[1]["themes"] as? [[String: Any]])?.first?["theme"] as? String == "food")
        #expect((objects[2]["sentiment"] as? [String: Double])?["compound"] == 0)
    }

    @Test func jsonlInputAndBadLines() async throws {
        let input = #"{"text":"I love the new library"}"# + "\nnot json\n" + #"{"other":1}"# + "\n"
        let run = try await Self.run(["score", "--jsonl"], input: Data(input.utf8))
        #expect(run.status == 1)
        let objects = try Self.objects(run.output)
        #expect(objects.count == 3)
        #expect(objects[0]["language"] as? String == "en")
        #expect(objects[1]["line"] as? Int == 2 && objects[1]["error"] != nil)
        #expect(objects[2]["line"] as? Int == 3)
        #expect(run.error.contains("2 line(s) could not be scored"))
    }

    /// Issue 19: `--jobs N` scores batches on N cores and writes every line in input order,
    /// byte for byte what one core writes, bad lines numbered as read.
    @Test func severalCoresWriteWhatOneCoreWrites() async throws {
        let texts = ["I love the new library", "El autobús llega tarde", "not json", "The wifi / hotspot is slow", "", "😀 great"]
        let input = (0..<2_500).map { n in
            let text = texts[n % texts.count]
            return text == "not json" ? text : #"{"text":"\#(text) \#(n)"}"#
        }.joined(separator: "\n")
        let one = try await Self.run(["score", "--jsonl", "--explain"], input: Data(input.utf8))
        let three = try await Self.run(["score", "--jsonl", "--explain", "--jobs", "3"], input: Data(input.utf8))
        #expect(one.status == 1 && three.status == 1)
        #expect(one.output == three.output)
        let objects = try Self.objects(three.output)
        #expect(objects.count == 2_500)
        #expect(objects[2]["line"] as? Int == 3 && objects[2_498]["line"] as? Int == 2_499)
        #expect(three.error.contains("417 line(s) could not be scored"))
        let refused = try await Self.run(["score", "--jobs", "0"], input: Data())
        #expect(refused.status != 0 && refused.error.contains("--jobs"))
    }

    @Test func invalidUTF8AndNULAreScoredNotFatal() async throws {
        var input = Data("good \u{0} day\n".utf8)
        input.append(contentsOf: [0xFF, 0xFE, 0x20, 0x62, 0x61, 0x64, 0x0A])  // invalid bytes, then " bad"
        let run = try await Self.run(["score"], input: input)
        #expect(run.status == 0)
        let objects = try Self.objects(run.output)
        #expect(objects.count == 2)
        #expect(((objects[0]["sentiment"] as? [String: Double])?["compound"] ?? 0) > 0)
        #expect(((objects[1]["sentiment"] as? [String: Double])?["compound"] ?? 0) < 0)
    }

    @Test func megabyteLineAndOverlongLine() async throws {
        let megabyte = String(repeating: "The bus is late again. ", count: 46_000)
        var input = Data(megabyte.utf8)
        input.append(0x0A)
        input.append(Data(repeating: UInt8(ascii: "a"), count: 5 << 20))
        input.append(0x0A)
        input.append(Data("fine\n".utf8))
        let run = try await Self.run(["score"], input: input)
        #expect(run.status == 1)
        let objects = try Self.objects(run.output)
        #expect(objects.count == 3)
        #expect(objects[0]["sentiment"] != nil)
        #expect(objects[1]["error"] as? String == "line longer than 4 MiB")
        #expect(objects[2]["sentiment"] != nil)
    }

    /// The reader works in 64 KiB blocks: 20 MB of input must not take 20 MB more memory than
    /// 1 MB does.
    @Test func streamsInConstantMemory() async throws {
        let line = Data("Families said the wifi hotspots helped a lot, but the laptops are slow.\n".utf8)
        func peak(megabytes: Int) async throws -> Int {
            var input = Data(capacity: megabytes << 20)
            while input.count < megabytes << 20 { input.append(line) }
            let run = try await Self.run(["score", "--keyphrases", "3"], input: input, measuringMemory: true)
            #expect(run.status == 0)
            return run.peakKilobytes
        }
        let small = try await peak(megabytes: 1)
        let large = try await peak(megabytes: 20)
        #expect(small > 0)
        #expect(large - small < 8 * 1024, "peak RSS \(small) kB for 1 MB, \(large) kB for 20 MB")
    }
}
