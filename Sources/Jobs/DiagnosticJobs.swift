import Foundation

/// Job kinds every worker runs, for benchmarks and fault tests: `noop` does nothing (queue
/// overhead alone); `sleep` waits `seconds` on the attempts listed (to hold a lease while a
/// test kills the worker).
public enum DiagnosticJobs {
    public struct Sleep: Codable, Sendable {
        public var seconds: Double
        public var onAttempts: [Int]
        public init(seconds: Double, onAttempts: [Int] = [1]) {
            self.seconds = seconds
            self.onAttempts = onAttempts
        }
    }

    public static let handlers: [String: JobHandler] = [
        "noop": { _ in },
        "sleep": { job in
            let sleep = try job.decode(Sleep.self)
            if sleep.onAttempts.contains(job.attempt) { try await Task.sleep(for: .seconds(sleep.seconds)) }
        },
    ]
}
