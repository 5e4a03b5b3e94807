import ArgumentParser
import Engagement
import Jobs
import Logging
import Postgres

/// Worker options shared by `serve` and `work`.
struct WorkerOptions: ParsableArguments {
    @Option(help: "Jobs run at once by this process's workers.") var workers = 4
    @Option(help: "Seconds a claimed job stays leased without a heartbeat before others may rescue it.") var lease = 30
    @Option(name: .customLong("maintenance-interval"), help: "Seconds between lease rescues and pruning.") var maintenanceInterval = 10
    @Option(name: .customLong("keep-completed"), help: "Seconds completed jobs are kept before pruning.") var keepCompleted = 3600

    func processor(database: PostgresClient, logger: Logger) throws -> JobProcessor {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        return JobProcessor(
            database: database,
            configuration: .init(
                concurrency: workers, lease: .seconds(max(1, lease)), maintenanceInterval: .seconds(max(1, maintenanceInterval)),
                keepCompleted: .seconds(max(0, keepCompleted))),
            handlers: DiagnosticJobs.handlers.merging([TextScoring.kind: try TextScoring(database: database).handler]) { $1 },
            logger: logger)
    }
}
