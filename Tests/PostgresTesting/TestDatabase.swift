import Foundation
import Logging
import Postgres

/// Fresh databases for integration tests, on the server named by `DATABASE_URL` (which
/// `Deploy/test` starts). A migrated database is cloned from a template migrated once per schema
/// version, which is much faster than migrating every test's database.
public enum TestDatabase {
    public static let logger: Logger = {
        var logger = Logger(label: "chorus.test")
        logger.logLevel = .warning
        return logger
    }()

    public static var serverURL: String {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
                throw TestDatabaseError.noServer
            }
            return url
        }
    }

    /// A generous acquire timeout: the whole suite runs in parallel on two cores, and a test that
    /// queues 100 tasks on a pool of 10 must wait, not fail (the pool's own timeout is tested apart).
    public static func configuration(database: String, maximumConnections: Int = 4) throws -> PostgresConfiguration {
        PostgresConfiguration(
            url: try serverURL,
            database: database,
            maximumConnections: maximumConnections,
            acquireTimeout: .seconds(60),
            applicationName: "chorus-test"
        )
    }

    /// A `postgres://` URL for `database` on the test server, for child processes.
    public static func url(database: String) throws -> String {
        guard var components = URLComponents(string: try serverURL) else { throw TestDatabaseError.noServer }
        components.path = "/" + database
        return components.string ?? ""
    }

    /// Runs `body` with a client on a new, empty (or migrated) database, dropped afterwards.
    public static func withDatabase<T: Sendable>(
        migrated: Bool = false,
        maximumConnections: Int = 4,
        _ body: (PostgresClient, PostgresConfiguration) async throws -> T
    ) async throws -> T {
        let name = "chorus_test_\(UUID().uuidString.prefix(8).lowercased())"
        try await withAdmin { admin in
            if migrated {
                let template = try await ensureTemplate(admin)
                try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(template)"))
            } else {
                try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
            }
        }
        let configuration = try configuration(database: name, maximumConnections: maximumConnections)
        let client = PostgresClient(configuration: configuration, logger: logger)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(client, configuration))
        } catch {
            result = .failure(error)
        }
        await client.close()
        try await withAdmin { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
        }
        return try result.get()
    }

    @discardableResult
    static func withAdmin<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let admin = PostgresClient(
            configuration: PostgresConfiguration(url: try serverURL, maximumConnections: 1),
            logger: logger
        )
        do {
            let value = try await admin.withConnection(body)
            await admin.close()
            return value
        } catch {
            await admin.close()
            throw error
        }
    }

    /// The repository's `Schema` directory, found from this source file.
    public static var schemaDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Schema")
    }

    /// A template database holding the current schema, named by a hash of the migrations so an
    /// edited schema gets a new template. Creation is serialized by an advisory lock because test
    /// suites (and test processes) run in parallel.
    private static func ensureTemplate(_ admin: PostgresConnection) async throws -> String {
        let migrator = try Migrator(directory: schemaDirectory)
        let fingerprint = migrator.migrations.map(\.checksum).joined()
        let name = "chorus_template_\(String(fingerprint.hashValueStable, radix: 16))"
        try await admin.query("SELECT pg_advisory_lock(\(7_264_002))")
        do {
            let exists = try await admin.query("SELECT 1 FROM pg_database WHERE datname = \(name)")
            if exists.isEmpty {
                let building = name + "_building"
                try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(building) WITH (FORCE)"))
                try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(building)"))
                let client = PostgresClient(configuration: try configuration(database: building), logger: logger)
                do {
                    try await migrator.apply(on: client, logger: logger)
                } catch {
                    await client.close()
                    throw error
                }
                await client.close()
                try await admin.query(PostgresQuery(unsafeSQL: "ALTER DATABASE \(building) RENAME TO \(name)"))
            }
            try await admin.query("SELECT pg_advisory_unlock(\(7_264_002))")
        } catch {
            _ = try? await admin.query("SELECT pg_advisory_unlock(\(7_264_002))")
            throw error
        }
        return name
    }
}

public enum TestDatabaseError: Error, CustomStringConvertible {
    case noServer
    public var description: String {
        "DATABASE_URL is not set: run the tests with Deploy/test, which starts a PostgreSQL for them"
    }
}

extension String {
    /// FNV-1a, stable across processes (unlike `hashValue`), for naming template databases.
    var hashValueStable: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
