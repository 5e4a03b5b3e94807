import ArgumentParser
import Engagement
import Jobs
import Logging
import Postgres

/// Worker options shared by `serve` and `work`.
struct WorkerOptions: ParsableArguments {
    @Option(help: "Jobs run at once by this process's workers.") var workers = 4
    @Option(help: "Seconds a claimed job stays leased without a heartbeat before others may rescue it.") var lease = 30

    func processor(database: PostgresClient, logger: Logger) throws -> JobProcessor {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        return JobProcessor(
            database: database,
            configuration: .init(concurrency: workers, lease: .seconds(max(3, lease))),
            handlers: [TextScoring.kind: try TextScoring(database: database).handler],
            logger: logger)
    }
}
