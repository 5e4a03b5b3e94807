import Crypto
import Foundation
import Logging

/// Applies `Schema/NNNN_name.sql` files in order, each in its own transaction, and records each in
/// `schema_migrations` with the SHA-256 of its text. An applied file whose text changed is refused:
/// the database would no longer match the repository, and silently skipping it hides that. The one
/// exception is a rewrite the repository owns up to: `Schema/superseded.txt` lists the earlier
/// checksums of rewritten files (`NNNN <sha256> <why>`), and a later migration brings databases
/// that ran the earlier text to the same schema.
public struct Migrator: Sendable {
    public struct Migration: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let sql: String

        public init(version: Int, name: String, sql: String) {
            self.version = version
            self.name = name
            self.sql = sql
        }

        public var checksum: String {
            SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
        }
    }

    public enum State: String, Sendable {
        case applied, pending, modified
    }

    public struct Status: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let state: State
        public let appliedAt: Date?
    }

    public let migrations: [Migration]
    /// Earlier checksums accepted as applied, by version.
    public let superseded: [Int: Set<String>]

    public init(migrations: [Migration], superseded: [Int: Set<String>] = [:]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.superseded = superseded
    }

    /// Loads every `NNNN_name.sql` in `directory`.
    public init(directory: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        var migrations: [Migration] = []
        for file in names where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]) else {
                throw MigrationError(
                    message: "migration file \(file) must be named NNNN_description.sql"
                )
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: String(stem), sql: sql))
        }
        let versions = migrations.map(\.version)
        if Set(versions).count != versions.count {
            throw MigrationError(message: "two migration files share a version number in \(directory.path)")
        }
        self.init(migrations: migrations, superseded: try Self.superseded(in: directory))
    }

    static func superseded(in directory: URL) throws -> [Int: Set<String>] {
        let file = directory.appendingPathComponent("superseded.txt")
        guard FileManager.default.fileExists(atPath: file.path) else { return [:] }
        var superseded: [Int: Set<String>] = [:]
        for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let words = line.split(separator: " ", maxSplits: 2)
            guard words.count >= 2, let version = Int(words[0]), words[1].count == 64 else {
                throw MigrationError(message: "superseded.txt: expected `NNNN <sha256> <why>`, found: \(line)")
            }
            superseded[version, default: []].insert(String(words[1]))
        }
        return superseded
    }

    /// Whether a recorded checksum stands for `migration` as it is now.
    func matches(_ recorded: String, _ migration: Migration) -> Bool {
        recorded == migration.checksum || superseded[migration.version, default: []].contains(recorded)
    }

    /// Applied, pending and modified migrations, in order.
    public func status(on client: PostgresClient) async throws -> [Status] {
        let applied = try await client.withConnection { connection in
            try await ensureTable(connection)
            return try await appliedMigrations(connection)
        }
        return migrations.map { migration in
            guard let record = applied[migration.version] else {
                return Status(version: migration.version, name: migration.name, state: .pending, appliedAt: nil)
            }
            let state: State = matches(record.checksum, migration) ? .applied : .modified
            return Status(version: migration.version, name: migration.name, state: state, appliedAt: record.appliedAt)
        }
    }

    /// Applies pending migrations; returns the ones applied. Serialized across processes by an
    /// advisory lock, so two servers starting together do not race.
    @discardableResult
    public func apply(on client: PostgresClient, logger: Logger) async throws -> [Migration] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))")
            do {
                try await ensureTable(connection)
                let applied = try await apply(on: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
                throw error
            }
        }
    }

    private func apply(on connection: PostgresConnection, logger: Logger) async throws -> [Migration] {
        let applied = try await appliedMigrations(connection)
        var done: [Migration] = []
        for migration in migrations {
            if let record = applied[migration.version] {
                guard matches(record.checksum, migration) else {
                    throw MigrationError(
                        message: """
                            migration \(migration.name) was edited after it was applied (checksum \
                            \(record.checksum.prefix(12))… in the database, \(migration.checksum.prefix(12))… on disk); \
                            add a new migration instead of changing an applied one
                            """
                    )
                }
                continue
            }
            try await connection.withTransaction { transaction in
                try await transaction.executeScript(unsafeSQL: migration.sql)
                try await transaction.query(
                    """
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """
                )
            }
            logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
            done.append(migration)
        }
        return done
    }

    private struct Record {
        let checksum: String
        let appliedAt: Date
    }

    private func appliedMigrations(_ connection: PostgresConnection) async throws -> [Int: Record] {
        var records: [Int: Record] = [:]
        for row in try await connection.query("SELECT version, checksum, applied_at FROM schema_migrations") {
            let (version, checksum, appliedAt) = try row.decode((Int, String, Date).self)
            records[version] = Record(checksum: checksum, appliedAt: appliedAt)
        }
        return records
    }

    private func ensureTable(_ connection: PostgresConnection) async throws {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """
        )
    }

    /// An arbitrary constant identifying Chorus's migration lock.
    private static let lockKey = 7_264_001
}

public struct MigrationError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

extension Migrator {
    /// Finds the `Schema` directory: `CHORUS_SCHEMA_DIR`, then `./Schema`, then beside or above
    /// the executable (a release build sits in `.build/<triple>/release/`, an installed one may
    /// have `Schema` next to it).
    public static func locateSchemaDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL? {
        if let explicit = environment["CHORUS_SCHEMA_DIR"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(directory)
            directory = directory.deletingLastPathComponent()
        }
        for candidate in candidates {
            let schema = candidate.appendingPathComponent("Schema")
            if FileManager.default.fileExists(atPath: schema.appendingPathComponent("0001_foundation.sql").path) {
                return schema
            }
        }
        return nil
    }
}
