import Logging
import ServiceLifecycle

/// Keeps the rollups current in a worker process: drains the marked days as they come, and
/// polls the (usually empty) mark table when there is nothing to do. Several processes may run
/// one each: the rollup lock serializes their drains.
public struct RollupService: Service {
    let rollups: Rollups
    let pollInterval: Duration
    let logger: Logger

    public init(rollups: Rollups, pollInterval: Duration = .milliseconds(200), logger: Logger) {
        self.rollups = rollups
        self.pollInterval = pollInterval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var failures = 0
            while !Task.isCancelled {
                do {
                    let days = try await rollups.drain()
                    failures = 0
                    if !days.isEmpty { continue }
                } catch {
                    // The marks stay (the drain's transaction rolled back): retry, backing off
                    // while PostgreSQL is away.
                    failures += 1
                    if !Task.isCancelled { logger.error("rollup drain failed", metadata: ["error": "\(error)", "failures": "\(failures)"]) }
                    try? await Task.sleep(for: .seconds(min(30, 1 << min(failures, 5))))
                }
                try? await Task.sleep(for: pollInterval)
            }
        }
    }
}
