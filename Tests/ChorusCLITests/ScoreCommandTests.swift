import Foundation
import Testing

/// Runs the built `chorus` executable as a user would.
@Suite("chorus score (CLI)")
struct ScoreCommandTests {
    static var executable: URL {
        // The test runner sits in the same build products folder as the executable.
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("chorus")
    }

    struct Run {
        var status: Int32
        var output: String
        var error: String
    }

    /// Feeds `input` on stdin from a file (not a pipe we must drain concurrently).
    static func run(_ arguments: [String], input: Data, peakMemory: UnsafeMutablePointer<Int>? = nil) throws -> Run {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("in")
        let outputURL = directory.appendingPathComponent("out")
        let errorURL = directory.appendingPathComponent("err")
        try input.write(to: inputURL)
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
        if let peakMemory {
            // VmHWM is the process's own high-water mark; the last reading before exit is its peak.
            while process.isRunning {
                if let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
                    let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                    let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
                {
                    peakMemory.pointee = max(peakMemory.pointee, kilobytes)
                }
                usleep(20_000)
            }
        }
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus,
            output: try String(contentsOf: outputURL, encoding: .utf8),
            error: try String(contentsOf: errorURL, encoding: .utf8)
        )
    }

    static func objects(_ output: String) throws -> [[String: Any]] {
        try output.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func oneObjectPerLineWithTheDocumentedShape() throws {
        let input = "The teacher is wonderful!\nLa comida es horrible.\n\n"
        let run = try Self.run(["score", "--theme", "food=comida,lunch"], input: Data(input.utf8))
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

    @Test func jsonlInputAndBadLines() throws {
        let input = #"{"text":"I love the new library"}"# + "\nnot json\n" + #"{"other":1}"# + "\n"
        let run = try Self.run(["score", "--jsonl"], input: Data(input.utf8))
        #expect(run.status == 1)
        let objects = try Self.objects(run.output)
        #expect(objects.count == 3)
        #expect(objects[0]["language"] as? String == "en")
        #expect(objects[1]["line"] as? Int == 2 && objects[1]["error"] != nil)
        #expect(objects[2]["line"] as? Int == 3)
        #expect(run.error.contains("2 line(s) could not be scored"))
    }

    @Test func invalidUTF8AndNULAreScoredNotFatal() throws {
        var input = Data("good \u{0} day\n".utf8)
        input.append(contentsOf: [0xFF, 0xFE, 0x20, 0x62, 0x61, 0x64, 0x0A])  // invalid bytes, then " bad"
        let run = try Self.run(["score"], input: input)
        #expect(run.status == 0)
        let objects = try Self.objects(run.output)
        #expect(objects.count == 2)
        #expect(((objects[0]["sentiment"] as? [String: Double])?["compound"] ?? 0) > 0)
        #expect(((objects[1]["sentiment"] as? [String: Double])?["compound"] ?? 0) < 0)
    }

    @Test func megabyteLineAndOverlongLine() throws {
        let megabyte = String(repeating: "The bus is late again. ", count: 46_000)
        var input = Data(megabyte.utf8)
        input.append(0x0A)
        input.append(Data(repeating: UInt8(ascii: "a"), count: 5 << 20))
        input.append(0x0A)
        input.append(Data("fine\n".utf8))
        let run = try Self.run(["score"], input: input)
        #expect(run.status == 1)
        let objects = try Self.objects(run.output)
        #expect(objects.count == 3)
        #expect(objects[0]["sentiment"] != nil)
        #expect(objects[1]["error"] as? String == "line longer than 4 MiB")
        #expect(objects[2]["sentiment"] != nil)
    }

    /// The reader works in 64 KiB blocks: 20 MB of input must not take 20 MB more memory than
    /// 1 MB does.
    @Test func streamsInConstantMemory() throws {
        let line = Data("Families said the wifi hotspots helped a lot, but the laptops are slow.\n".utf8)
        func peak(megabytes: Int) throws -> Int {
            var input = Data(capacity: megabytes << 20)
            while input.count < megabytes << 20 { input.append(line) }
            var peakKilobytes = 0
            let run = try Self.run(["score", "--keyphrases", "3"], input: input, peakMemory: &peakKilobytes)
            #expect(run.status == 0)
            return peakKilobytes
        }
        let small = try peak(megabytes: 1)
        let large = try peak(megabytes: 20)
        #expect(small > 0)
        #expect(large - small < 8 * 1024, "peak RSS \(small) kB for 1 MB, \(large) kB for 20 MB")
    }
}
