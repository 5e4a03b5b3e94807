import Engagement
import Foundation
import Postgres
import PostgresTesting
import Testing

/// The rollup queue (Schema/0008): triggers mark days in `rollup_dirty_days`, a drain recomputes
/// them; only changes to what the rollups read mark anything (issue 12, A2).
@Suite("Rollup queue (integration)")
struct RollupQueueTests {
    static func feedbackFields(_ comment: String) -> Submissions.FeedbackFields {
        .init(initiativeID: 1, schoolID: 1, group: .families, language: "en", comment: comment, contact: nil)
    }

    /// `utc`: count UTC days, as the days below are (a database before 0009 has no settings).
    static func setUp(_ db: PostgresClient, utc: Bool = true) async throws {
        try await db.query(
            "INSERT INTO schools (code, name, cluster, level, enrollment) VALUES ('A', 'A', 'North', 'high', 100), ('B', 'B', 'North', 'high', 100)"
        )
        if utc { try await db.query("UPDATE district_settings SET time_zone = 'UTC'") }
        try await db.query("INSERT INTO initiatives (slug, title, theme_keywords) VALUES ('tech', '{\"en\": \"Technology\"}', '{wifi}')")
    }

    static func submit(_ comment: String, _ db: PostgresClient) async throws -> (id: Int64, day: String) {
        let receipt = try await db.withTransaction { try await Submissions().submitFeedback(feedbackFields(comment), on: $0) }
        return (receipt.id, receipt.createdAt.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()))
    }

    @Test func aCommentAndItsScoringRecomputeItsDayAtMostTwiceAndUnchangedRowsNever() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            try await Self.setUp(db)
            let rollups = Rollups(database: db)
            let scoring = try TextScoring(database: db)
            var recomputations: [String] = []

            // Drained between the insert and the scoring: two recomputations of the day.
            let first = try await Self.submit("The wifi is slow", db)
            recomputations += try await rollups.drain()
            try await scoring.score(.init(source: "feedback", id: first.id))
            recomputations += try await rollups.drain()
            #expect(recomputations == [first.day, first.day])

            // Not drained between them: one.
            let second = try await Self.submit("The wifi is great", db)
            try await scoring.score(.init(source: "feedback", id: second.id))
            #expect(try await rollups.drain() == [second.day])

            // Rescoring to the same result, and marking a comment pending or scored: nothing the
            // rollups read changed, so nothing is marked.
            try await scoring.score(.init(source: "feedback", id: second.id))
            try await db.query("UPDATE feedback SET scoring_state = 'pending' WHERE id = \(second.id)")
            try await db.query("UPDATE feedback SET scoring_state = 'scored'")
            #expect(try await db.query("SELECT count(*) FROM rollup_dirty_days").one().decode(Int.self, at: 0) == 0)
            #expect(try await rollups.drain().isEmpty)
            #expect(try await db.query("SELECT times_scored FROM text_scores WHERE source_id = \(second.id)").one().decode(Int.self, at: 0) == 2)

            // A change the rollups read marks the day, old and new.
            try await db.query("UPDATE feedback SET school_id = 2 WHERE id = \(second.id)")
            try await db.query("UPDATE feedback SET created_at = created_at - interval '3 days' WHERE id = \(first.id)")
            let moved = try await db.query("SELECT district_day(created_at)::text FROM feedback WHERE id = \(first.id)").one().decode(
                String.self,
                at: 0
            )
            #expect(try await rollups.drain() == [moved, first.day].sorted())
            // The rollups equal the records for the days touched.
            let day = try #require(try? Date(first.day + "T00:00:00Z", strategy: .iso8601))
            let query = ScorecardQuery(initiativeID: 1, from: day.addingTimeInterval(-3 * 86_400), to: day.addingTimeInterval(86_400))
            let fromRollups = try await db.withConnection { try await Scorecards(source: .rollups).scorecard(query, on: $0) }
            let fromRecords = try await db.withConnection { try await Scorecards(source: .records).scorecard(query, on: $0) }
            #expect(fromRollups == fromRecords)
            #expect(fromRollups.sentiment.overall.scored == 2)
        }
    }

    @Test func aFailedDrainLeavesItsMarks() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            try await Self.setUp(db)
            let comment = try await Self.submit("The wifi is slow", db)
            // A recomputation that fails (a rollup table it writes is locked out by a check that
            // every row breaks) rolls the drain back: the mark is still there afterwards.
            try await db.query("ALTER TABLE rollup_activity ADD CONSTRAINT broken CHECK (responses < 0) NOT VALID")
            await #expect(throws: PostgresError.self) { try await Rollups(database: db).drain() }
            #expect(try await db.query("SELECT count(*) FROM rollup_dirty_days WHERE day = \(comment.day)::date").one().decode(Int.self, at: 0) == 1)
            try await db.query("ALTER TABLE rollup_activity DROP CONSTRAINT broken")
            #expect(try await Rollups(database: db).drain() == [comment.day])
        }
    }

    /// A database that ran 0005 and 0007 as they were before 0008 (their text kept in Fixtures,
    /// listed in Schema/superseded.txt) migrates to the rollup queue: its pending rollup-day jobs
    /// become marks, and its triggers mark days instead of pushing jobs.
    @Test func aDatabaseFromBeforeTheRollupQueueUpgrades() async throws {
        try await TestDatabase.withDatabase { db, _ in
            let current = try Migrator(directory: TestDatabase.schemaDirectory)
            let fixtures = try #require(Bundle.module.resourceURL).appendingPathComponent("Fixtures")
            var before: [Migrator.Migration] = []
            for migration in current.migrations where migration.version < 8 {
                let old = fixtures.appendingPathComponent("\(migration.name).before-0008.sql")
                let sql = (try? String(contentsOf: old, encoding: .utf8)) ?? migration.sql
                before.append(.init(version: migration.version, name: migration.name, sql: sql))
            }
            #expect(before.filter { current.superseded[$0.version]?.contains($0.checksum) == true }.map(\.version) == [5, 7])
            try await Migrator(migrations: before).apply(on: db, logger: TestDatabase.logger)
            try await Self.setUp(db, utc: false)
            // Today's code writes a case with a comment (0024); that schema's comment was the row alone.
            let initiative = try await db.query("SELECT min(id) FROM initiatives").one().decode(Int64.self, at: 0)
            let comment = try await db.query(
                "INSERT INTO feedback (initiative_id, comment, receipt) VALUES (\(initiative), 'The wifi is slow', 'OLD-00001') RETURNING id"
            ).one().decode(Int64.self, at: 0)
            #expect(try await db.query("SELECT count(*) FROM jobs WHERE kind = 'rollup-day'").one().decode(Int.self, at: 0) == 1)

            #expect(try await current.apply(on: db, logger: TestDatabase.logger).map(\.version).first == 8)
            #expect(try await current.status(on: db).allSatisfy { $0.state == .applied })
            #expect(try await db.query("SELECT count(*) FROM jobs WHERE kind = 'rollup-day'").one().decode(Int.self, at: 0) == 0)
            // 0011 counts the district's days (New York here): the comment's, marked once.
            func day(_ id: Int64) async throws -> String {
                try await db.query("SELECT district_day(created_at)::text FROM feedback WHERE id = \(id)").one().decode(String.self, at: 0)
            }
            let commentDay = try await day(comment)
            #expect(try await db.query("SELECT day::text FROM rollup_dirty_days").map { try $0.decode(String.self, at: 0) } == [commentDay])
            let second = try await Self.submit("The wifi is great", db)
            let secondDay = try await day(second.id)
            #expect(try await db.query("SELECT count(*) FROM jobs WHERE kind = 'rollup-day'").one().decode(Int.self, at: 0) == 0)
            #expect(try await Rollups(database: db).drain() == Set([commentDay, secondDay]).sorted())
            #expect(try await db.query("SELECT sum(feedback) FROM rollup_daily WHERE initiative_id = 0").one().decode(Int.self, at: 0) == 2)
        }
    }
}
