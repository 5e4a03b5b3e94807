import Foundation
import Postgres
import PostgresTesting
import Testing

/// Issue 18, A5: the backup drill. The demo district is backed up with `chorus backup`, the file
/// checked, restored with `chorus restore` into a fresh PostgreSQL cluster, and every scorecard
/// and a survey's results read from the restored copy equal the original's byte for byte. A
/// restore into a database that holds tables is refused unless told to replace them.
@Suite("Backup and restore drill (processes + two PostgreSQL clusters)", .serialized)
struct BackupDrillTests {
    @Test func aRestoredBackupGivesIdenticalScorecardsAndResults() async throws {
        let scratch = URL(fileURLWithPath: "/tmp/chorus-drill-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        chmod(scratch.path, 0o777)
        let fresh = EmbeddedCluster(dataDirectory: scratch.appendingPathComponent("pg"), logger: TestDatabase.logger)
        defer { EmbeddedCluster.stopInBackground([fresh], thenRemove: scratch) }
        try await fresh.startOffThePool()
        let admin = PostgresClient(configuration: .init(url: fresh.url(database: "postgres"), maximumConnections: 1), logger: TestDatabase.logger)
        try await admin.query("CREATE DATABASE chorus")
        await admin.close()

        try await TestDatabase.withDatabase(migrated: true) { db, configuration in
            let original = ChildProcess.environment(databaseURL: try TestDatabase.url(database: configuration.database!), logLevel: "error")
            let restored = ChildProcess.environment(databaseURL: fresh.url(database: "chorus"), logLevel: "error")
            func chorus(_ arguments: [String], _ environment: [String: String]) async throws -> ChildProcess.Finished {
                let finished = try await ChildProcess.run(arguments, environment: environment)
                #expect(finished.status == 0, "chorus \(arguments.joined(separator: " ")): \(String(decoding: finished.errors, as: UTF8.self))")
                return finished
            }
            _ = try await chorus(["demo"], original)
            let file = scratch.appendingPathComponent("district.dump").path
            let backup = try await chorus(["backup", "--to", file], original)
            #expect(backup.text.hasPrefix("wrote \(file)"))
            let check = try await chorus(["backup", "--check", file], original)
            #expect(check.text.contains("readable") && check.text.contains("tables with data"))

            let started = ContinuousClock.now
            let restore = try await chorus(["restore", file], restored)
            let took = ContinuousClock.now - started
            #expect(restore.text.hasPrefix("restored"))
            // A second restore would mix two districts: refused, and nothing changes.
            let again = try await ChildProcess.run(["restore", file], environment: restored)
            #expect(again.status != 0 && String(decoding: again.errors, as: UTF8.self).contains("already holds"))

            let survey = try await db.query("SELECT min(id) FROM surveys").one().decode(Int64.self, at: 0)
            let slug = try await db.query("SELECT min(slug) FROM initiatives").one().decode(String.self, at: 0)
            for arguments in [
                ["scorecard", "--format", "json"], ["scorecard", slug, "--format", "json"],
                ["results", "\(survey)", "--format", "json"], ["results", "\(survey)", "--by", "school", "--format", "json"],
            ] {
                let before = try await chorus(arguments, original).text
                let after = try await chorus(arguments, restored).text
                #expect(before.count > 100 && before == after, "\(arguments.joined(separator: " ")) differs after the restore")
            }
            let counts = "SELECT (SELECT count(*) FROM responses) + (SELECT count(*) FROM feedback) + (SELECT count(*) FROM jobs)"
            let restoredClient = PostgresClient(
                configuration: .init(url: fresh.url(database: "chorus"), maximumConnections: 1),
                logger: TestDatabase.logger
            )
            let restoredCount = try await restoredClient.query(PostgresQuery(unsafeSQL: counts)).one().decode(Int.self, at: 0)
            await restoredClient.close()
            #expect(try await db.query(PostgresQuery(unsafeSQL: counts)).one().decode(Int.self, at: 0) == restoredCount)
            print("backup drill: restored the demo district in \(took)")
        }
    }
}
