import Foundation
import Postgres

/// Child processes for tests, waited for on threads of their own.
///
/// Swift's cooperative pool has one thread per core. On a 2-core machine two tests blocked in
/// `waitUntilExit` or a pipe read stall every other test of the parallel run; CI saw database
/// pools time out after 60 s that way. So nothing here blocks a cooperative thread.
public enum ChildProcess {
    public struct Finished: Sendable {
        public var status: Int32
        public var output: Data
        public var errors: Data
        public var text: String { String(decoding: output, as: UTF8.self) }
    }

    /// The `chorus` executable beside the test runner in the build products folder.
    public static var chorus: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("chorus")
    }

    /// The test's environment with `DATABASE_URL` (and `LOG_LEVEL`) set.
    public static func environment(databaseURL: String?, logLevel: String? = nil) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if let databaseURL { environment["DATABASE_URL"] = databaseURL }
        if let logLevel { environment["LOG_LEVEL"] = logLevel }
        return environment
    }

    /// Runs `executable` (by default `chorus`) to its end. Output and errors go to files, not pipes, so neither can
    /// fill up and no grandchild holding a descriptor can keep the read open.
    public static func run(
        _ arguments: [String],
        executable: URL = chorus,
        environment: [String: String]? = nil,
        input: Data? = nil,
        errorsInOutput: Bool = false,
        whileRunning: (@Sendable (pid_t) -> Void)? = nil
    ) async throws -> Finished {
        try await offThePool {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-child-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let inputURL = directory.appendingPathComponent("in")
            let outputURL = directory.appendingPathComponent("out")
            let errorURL = directory.appendingPathComponent("err")
            try (input ?? Data()).write(to: inputURL)
            _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            if let environment { process.environment = environment }
            process.standardInput = try FileHandle(forReadingFrom: inputURL)
            let output = try FileHandle(forWritingTo: outputURL)
            process.standardOutput = output
            process.standardError = errorsInOutput ? output : try FileHandle(forWritingTo: errorURL)
            try process.run()
            if let whileRunning {
                while process.isRunning {
                    whileRunning(process.processIdentifier)
                    usleep(20_000)
                }
            }
            process.waitUntilExit()
            return Finished(
                status: process.terminationStatus,
                output: try Data(contentsOf: outputURL),
                errors: try Data(contentsOf: errorURL)
            )
        }
    }

    /// Runs blocking work on a new thread and awaits its result.
    public static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}

extension Process {
    /// Waits for the process to exit without holding a cooperative thread.
    public func exited() async {
        let process = UncheckedProcess(process: self)
        _ = try? await ChildProcess.offThePool { process.process.waitUntilExit() }
    }
}

/// `Process` is not `Sendable`; it is only waited for on the other thread.
private struct UncheckedProcess: @unchecked Sendable {
    let process: Process
}

extension EmbeddedCluster {
    /// Starts the cluster without holding a cooperative thread: initdb and `pg_ctl -w` block for
    /// seconds, and two blocked threads stall every other test of a parallel run.
    public func startOffThePool() async throws { _ = try await ChildProcess.offThePool { try self.start() } }

    public func stopOffThePool() async throws { try await ChildProcess.offThePool { try self.stop() } }

    /// For a `defer`: stops these clusters, then removes `directory`, on a thread of its own.
    public static func stopInBackground(_ clusters: [EmbeddedCluster], thenRemove directory: URL) {
        Thread {
            for cluster in clusters.reversed() { try? cluster.stop() }
            try? FileManager.default.removeItem(at: directory)
        }.start()
    }
}

/// Polls `condition` every 200 ms until it holds or `limit` is up; the last check decides.
public func waitUntil(_ limit: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(200))
    }
    return try await condition()
}
