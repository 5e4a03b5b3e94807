import Foundation
import Postgres
import PostgresTesting
import Testing

@Suite("Migrations (integration)")
struct MigratorTests {
    let first = Migrator.Migration(version: 1, name: "0001_first", sql: "CREATE TABLE a (id int);")
    let second = Migrator.Migration(
        version: 2,
        name: "0002_second",
        sql: "CREATE TABLE b (id int); INSERT INTO b VALUES (1), (2);"
    )

    @Test func freshApplyThenReapplyIsANoOp() async throws {
        try await TestDatabase.withDatabase { client, _ in
            let migrator = Migrator(migrations: [second, first])
            #expect(try await migrator.status(on: client).map(\.state) == [.pending, .pending])
            let applied = try await migrator.apply(on: client, logger: TestDatabase.logger)
            #expect(applied.map(\.version) == [1, 2])
            #expect(try await migrator.apply(on: client, logger: TestDatabase.logger).isEmpty)
            #expect(try await client.query("SELECT count(*) FROM b").first?.decode(Int.self, at: 0) == 2)
            #expect(try await migrator.status(on: client).map(\.state) == [.applied, .applied])
        }
    }

    @Test func editedAppliedMigrationIsRefused() async throws {
        try await TestDatabase.withDatabase { client, _ in
            try await Migrator(migrations: [first]).apply(on: client, logger: TestDatabase.logger)
            let edited = Migrator.Migration(version: 1, name: "0001_first", sql: "CREATE TABLE a (id bigint);")
            let migrator = Migrator(migrations: [edited, second])
            let error = try await #require(throws: MigrationError.self) {
                try await migrator.apply(on: client, logger: TestDatabase.logger)
            }
            #expect(error.description.contains("0001_first was edited after it was applied"))
            #expect(try await migrator.status(on: client).map(\.state) == [.modified, .pending])
            // Nothing after the refused migration ran.
            #expect(try await client.query("SELECT 1 FROM pg_tables WHERE tablename = 'b'").isEmpty)
        }
    }

    @Test func rewriteListedAsSupersededIsAccepted() async throws {
        try await TestDatabase.withDatabase { client, _ in
            try await Migrator(migrations: [first]).apply(on: client, logger: TestDatabase.logger)
            let rewritten = Migrator.Migration(version: 1, name: "0001_first", sql: "CREATE TABLE a (id bigint);")
            let migrator = Migrator(migrations: [rewritten, second], superseded: [1: [first.checksum]])
            #expect(try await migrator.apply(on: client, logger: TestDatabase.logger).map(\.version) == [2])
            #expect(try await migrator.status(on: client).map(\.state) == [.applied, .applied])
            // Only a listed checksum: without the database's in the list, the rewrite is refused.
            let unlisted = Migrator(migrations: [rewritten], superseded: [1: [rewritten.checksum]])
            #expect(try await unlisted.status(on: client).map(\.state) == [.modified])
        }
    }

    @Test func supersededFileIsReadAndCheckedForShape() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("superseded-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try first.sql.write(to: directory.appendingPathComponent("0001_first.sql"), atomically: true, encoding: .utf8)
        let sum = String(repeating: "ab", count: 32)
        try "# comment\n0001 \(sum) why it was rewritten\n".write(
            to: directory.appendingPathComponent("superseded.txt"),
            atomically: true,
            encoding: .utf8
        )
        #expect(try Migrator(directory: directory).superseded == [1: [sum]])
        try "0001 abc\n".write(to: directory.appendingPathComponent("superseded.txt"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.self) { try Migrator(directory: directory) }
    }

    @Test func failingMigrationRollsBackWholly() async throws {
        try await TestDatabase.withDatabase { client, _ in
            let broken = Migrator.Migration(
                version: 3,
                name: "0003_broken",
                sql: "CREATE TABLE c (id int); SELECT no_such_function();"
            )
            let migrator = Migrator(migrations: [first, broken])
            let error = try await #require(throws: PostgresError.self) {
                try await migrator.apply(on: client, logger: TestDatabase.logger)
            }
            #expect(error.sqlState == "42883")
            #expect(try await client.query("SELECT 1 FROM pg_tables WHERE tablename = 'c'").isEmpty)
            #expect(try await migrator.status(on: client).map(\.state) == [.applied, .pending])
        }
    }

    @Test func repositorySchemaAppliesCleanly() async throws {
        try await TestDatabase.withDatabase { client, _ in
            let migrator = try Migrator(directory: TestDatabase.schemaDirectory)
            #expect(!migrator.migrations.isEmpty)
            try await migrator.apply(on: client, logger: TestDatabase.logger)
            #expect(try await migrator.status(on: client).allSatisfy { $0.state == .applied })
        }
    }

    @Test func concurrentAppliesRunEachMigrationOnce() async throws {
        try await TestDatabase.withDatabase(maximumConnections: 4) { client, _ in
            let migrator = Migrator(migrations: [first, second])
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await migrator.apply(on: client, logger: TestDatabase.logger).count }
                }
                return try await group.reduce(0, +)
            }
            #expect(counts == 2)
        }
    }

    @Test func badlyNamedFileIsRejected() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "SELECT 1;".write(to: directory.appendingPathComponent("first.sql"), atomically: true, encoding: .utf8)
        #expect(throws: MigrationError.self) { try Migrator(directory: directory) }
    }
}
