import ArgumentParser
import Foundation
import Logging
import Postgres
import ServiceLifecycle

/// Where the database is: `DATABASE_URL` when set, otherwise a private cluster in `--data-dir`.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: "Data directory of the embedded PostgreSQL used when DATABASE_URL is unset (env CHORUS_DATA_DIR)."
    )
    var dataDirectory: String?

    @Option(name: .customLong("pool-size"), help: "Maximum database connections (env CHORUS_POOL_SIZE).")
    var poolSize: Int?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env LOG_LEVEL).")
    var logLevel: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    func makeLogger(label: String = "chorus") -> Logger {
        // Logs go to standard error: standard output carries data (exports, scores, tokens).
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        let level = logLevel ?? environment["LOG_LEVEL"] ?? "info"
        logger.logLevel = Logger.Level(rawValue: level) ?? .info
        return logger
    }

    var resolvedDataDirectory: URL {
        let path = dataDirectory ?? environment["CHORUS_DATA_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? ".chorus/postgres"
        return URL(fileURLWithPath: path)
    }

    /// Connects to `DATABASE_URL`, or starts (or reuses) the embedded cluster and its `chorus`
    /// database. The returned cluster is non-nil only when this call started it, so only then
    /// is it ours to stop.
    func open(logger: Logger) async throws -> (client: PostgresClient, startedCluster: EmbeddedCluster?) {
        let size = poolSize ?? environment["CHORUS_POOL_SIZE"].flatMap(Int.init) ?? 10
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            let configuration = PostgresConfiguration(url: url, maximumConnections: size, listenURL: environment["DATABASE_LISTEN_URL"])
            return (PostgresClient(configuration: configuration, logger: logger), nil)
        }
        let cluster = EmbeddedCluster(dataDirectory: resolvedDataDirectory, logger: logger)
        let started = try cluster.start()
        do {
            try await createDatabaseIfMissing(cluster: cluster, logger: logger)
        } catch {
            if started { try? cluster.stop() }
            throw error
        }
        let configuration = PostgresConfiguration(url: cluster.url(), maximumConnections: size)
        return (PostgresClient(configuration: configuration, logger: logger), started ? cluster : nil)
    }

    private func createDatabaseIfMissing(cluster: EmbeddedCluster, logger: Logger) async throws {
        let admin = PostgresClient(
            configuration: PostgresConfiguration(url: cluster.url(database: "postgres"), maximumConnections: 1),
            logger: logger
        )
        do {
            let exists = try await admin.query("SELECT 1 FROM pg_database WHERE datname = \("chorus")")
            if exists.isEmpty {
                try await admin.query("CREATE DATABASE chorus")
                logger.info("created database chorus")
            }
        } catch {
            await admin.close()
            throw error
        }
        await admin.close()
    }

    /// The libpq URL of the database (`DATABASE_URL`, or the embedded cluster's, started for the
    /// duration of `body` if needed), for the PostgreSQL programs `chorus backup` runs.
    func withURL<T>(_ body: (String) async throws -> T) async throws -> T {
        if let url = environment["DATABASE_URL"], !url.isEmpty { return try await body(url) }
        let cluster = EmbeddedCluster(dataDirectory: resolvedDataDirectory, logger: makeLogger())
        let started = try cluster.start()
        defer { if started { try? cluster.stop() } }
        try await createDatabaseIfMissing(cluster: cluster, logger: makeLogger())
        return try await body(cluster.url())
    }

    /// Runs `body` with a client, then closes it and stops the embedded cluster if this started it.
    @discardableResult
    func withClient<T>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        let logger = makeLogger()
        let (client, startedCluster) = try await open(logger: logger)
        let result: T
        do {
            result = try await body(client)
        } catch {
            await client.close()
            try? startedCluster?.stop()
            // An operator at a terminal gets the server's message, which the error's plain
            // description leaves out (it may quote values, and must not reach HTTP clients).
            if let error = error as? PostgresError { throw ValidationError(error.debugDescription) }
            throw error
        }
        await client.close()
        try startedCluster?.stop()
        return result
    }

    /// One transaction on the database, committed when `body` returns.
    func inTransaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await withClient { try await $0.withTransaction(body) }
    }

    /// Prints a value as the API would send it: JSON, sorted keys, ISO 8601 dates.
    static func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// A pool on `DATABASE_READ_URL` (a streaming replica for scorecard reads), when set.
    func openReadReplica(logger: Logger) -> PostgresClient? {
        guard let url = environment["DATABASE_READ_URL"], !url.isEmpty else { return nil }
        let size = poolSize ?? environment["CHORUS_POOL_SIZE"].flatMap(Int.init) ?? 10
        return PostgresClient(configuration: PostgresConfiguration(url: url, maximumConnections: size), logger: logger)
    }

    func migrator() throws -> Migrator {
        guard let directory = Migrator.locateSchemaDirectory() else {
            throw ValidationError("Schema directory not found; run from the repository or set CHORUS_SCHEMA_DIR")
        }
        return try Migrator(directory: directory)
    }
}

/// Stops the embedded cluster when the service group shuts down, after the server and pool.
struct EmbeddedClusterService: Service {
    let cluster: EmbeddedCluster

    func run() async throws {
        try? await gracefulShutdown()
        try cluster.stop()
    }
}
