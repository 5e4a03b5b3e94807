import Foundation

/// A text message gateway on loopback (Deploy/sms_sink.py, Python's standard library), and the
/// requests it accepted: numbers ending 0000 are refused for good, 9999 for now.
public final class SMSSink: @unchecked Sendable {
    public let port: Int
    let directory: URL
    let process: Process

    init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    public var url: String { "http://127.0.0.1:\(port)/messages" }

    public static func start() async throws -> SMSSink {
        let (port, directory, process) = try await startLoopback(
            python: "/usr/bin/python3",
            script: "sms_sink.py",
            [],
            failure: "the SMS gateway sink did not start"
        )
        return SMSSink(port: port, directory: directory, process: process)
    }

    public func stop() {
        kill(process.processIdentifier, SIGKILL)
        try? FileManager.default.removeItem(at: directory)
    }

    public struct Received: Sendable {
        public let headers: [String: String]
        public let body: Data
        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    public func received() throws -> [Received] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return try files.filter { $0.hasSuffix(".json") }.sorted().map { name in
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
            return Received(
                headers: object["headers"] as? [String: String] ?? [:],
                body: Data((object["body"] as? String ?? "").utf8)
            )
        }
    }
}
