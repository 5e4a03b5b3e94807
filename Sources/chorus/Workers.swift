import ArgumentParser
import Engagement
import Foundation
import Jobs
import Logging
import Postgres
import Server
import ServiceLifecycle

/// Worker options shared by `serve` and `work`.
struct WorkerOptions: ParsableArguments {
    @Option(help: "Jobs run at once by this process's workers.") var workers = 4
    @Option(help: "Seconds a claimed job stays leased without a heartbeat before others may rescue it.") var lease = 30
    @Option(name: .customLong("maintenance-interval"), help: "Seconds between lease rescues and pruning.") var maintenanceInterval = 10
    @Option(name: .customLong("keep-completed"), help: "Seconds completed jobs are kept before pruning.") var keepCompleted = 3600

    /// The services of a serving or working process in start order: the embedded cluster (when
    /// this process started it), the pool, the workers. Shutdown runs in reverse.
    func services(database: DatabaseOptions, workers: Bool, logger: Logger) async throws -> (PostgresClient, [any Service]) {
        let (client, startedCluster) = try await database.open(logger: logger)
        do {
            try await Self.requireCurrentSchema(database: database, client: client, logger: logger)
        } catch {
            await client.close()
            try? startedCluster?.stop()
            throw error
        }
        var services: [any Service] = []
        if let startedCluster { services.append(EmbeddedClusterService(cluster: startedCluster)) }
        services.append(client)
        if workers {
            services.append(try processor(database: client, logger: logger))
            services.append(RetentionService(database: client, logger: logger))
            services.append(RollupService(rollups: Rollups(database: client), logger: logger))
            services.append(MessageService(database: client, configuration: try Self.messages(), logger: logger))
        }
        return (client, services)
    }

    /// A server or worker on an older schema would fail every call it serves: refuse to start,
    /// naming what to run. Without the Schema directory (a binary on its own) there is nothing
    /// to compare against, so it starts.
    static func requireCurrentSchema(database: DatabaseOptions, client: PostgresClient, logger: Logger) async throws {
        guard let migrator = try? database.migrator() else {
            logger.warning("Schema directory not found: cannot check the database is migrated")
            return
        }
        let outstanding = try await migrator.status(on: client).filter { $0.state != .applied }
        guard outstanding.isEmpty else {
            let names = outstanding.prefix(5).map { "\($0.name) (\($0.state.rawValue))" }.joined(separator: ", ")
            throw ValidationError(
                "the database is not migrated: \(outstanding.count) migration(s) not applied: \(names). Run `chorus migrate` first (Deploy/run does)."
            )
        }
    }

    /// Mail settings from the environment (docs/messages.md). Without `CHORUS_SMTP_URL` messages
    /// are kept in the outbox, shown on the console's messages page as not sent.
    static func messages() throws -> MessageDelivery.Configuration {
        let environment = ProcessInfo.processInfo.environment
        var mail: Msmtp?
        if let url = environment["CHORUS_SMTP_URL"], !url.isEmpty {
            do {
                mail = Msmtp(
                    settings: try .init(
                        url: url,
                        from: environment["CHORUS_MAIL_FROM"].flatMap { $0.isEmpty ? nil : $0 } ?? "Chorus <chorus@localhost>",
                        replyTo: environment["CHORUS_MAIL_REPLY_TO"].flatMap { $0.isEmpty ? nil : $0 }
                    )
                )
            } catch DeliveryFailure.permanent(let why) {
                throw ValidationError(why)
            }
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/msmtp") else {
                throw ValidationError("CHORUS_SMTP_URL is set but msmtp is not installed (apt-get install msmtp; Deploy/run does)")
            }
        }
        var sms: SMSGateway?
        if let url = environment["CHORUS_SMS_URL"], !url.isEmpty {
            do {
                sms = try SMSGateway(url: url, secret: environment["CHORUS_SMS_SECRET"] ?? "")
            } catch DeliveryFailure.permanent(let why) {
                throw ValidationError(why)
            }
        }
        return MessageDelivery.Configuration(
            mail: mail,
            sms: sms,
            publicURL: environment["CHORUS_PUBLIC_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://127.0.0.1:8080",
            texts: try MessageStrings.texts()
        )
    }

    func processor(database: PostgresClient, logger: Logger) throws -> JobProcessor {
        guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
        return JobProcessor(
            database: database,
            configuration: .init(
                concurrency: workers,
                lease: .seconds(max(1, lease)),
                maintenanceInterval: .seconds(max(1, maintenanceInterval)),
                keepCompleted: .seconds(max(0, keepCompleted))
            ),
            handlers: DiagnosticJobs.handlers.merging(try EngagementJobs.handlers(database: database, messages: try Self.messages())) { $1 },
            logger: logger
        )
    }
}
