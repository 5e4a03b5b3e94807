import Engagement
import Foundation
import Postgres
import PostgresTesting
import Testing

/// Real `chorus work` processes on one database.
@Suite("Workers as separate processes (integration)", .serialized)
struct WorkerProcessTests {
    static func startWorker(database: String, _ arguments: [String]) throws -> Process {
        try start(["work"] + arguments, database: database, logLevel: "warning")
    }

    /// A `chorus` process on the test database, its output discarded.
    static func start(_ arguments: [String], database: String, logLevel: String) throws -> Process {
        let process = Process()
        process.executableURL = ScoreCommandTests.executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = try TestDatabase.url(database: database)
        environment["LOG_LEVEL"] = logLevel
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test func fourProcessesScoreTwentyThousandTextsExactlyOnce() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, configuration in
            try await db.query("INSERT INTO initiatives (slug, title, theme_keywords) VALUES ('tech', '{\"en\": \"Technology\"}', '{wifi,laptop}')")
            try await db.query(
                """
                INSERT INTO feedback (initiative_id, comment, receipt)
                SELECT 1, (ARRAY['The wifi is great', 'The laptops are slow and the bus is late', 'El autobús llega tarde',
                                 'I love the reading program'])[1 + i % 4] || ' #' || i, 'R' || i
                FROM generate_series(1, 20000) AS i
                """
            )
            let queued = try await TextScoring.enqueueRescore(initiativeID: nil, since: nil, all: false, on: db)
            #expect(queued == 20_000)
            let workers = try (0..<4).map { _ in try Self.startWorker(database: configuration.database!, ["--workers", "4"]) }
            let finished = try await waitUntil(.seconds(600)) {
                try await db.query(
                    "SELECT count(*) + (SELECT count(*) FROM rollup_dirty_days) FROM jobs WHERE state <> 'completed'"
                ).first!.decode(Int.self, at: 0) == 0
            }
            for worker in workers { worker.terminate() }
            for worker in workers { await worker.exited() }
            #expect(finished)
            let jobs = try #require(
                try await db.query("SELECT count(*), max(attempt), count(DISTINCT locked_by) FROM jobs WHERE kind = 'score-text'").first
            )
            #expect(try jobs.decode(Int.self, at: 0) == 20_000)
            #expect(try jobs.decode(Int.self, at: 1) == 1)  // every job completed on its first and only run
            let scores = try #require(try await db.query("SELECT count(*), max(times_scored) FROM text_scores").first)
            #expect(try scores.decode(Int.self, at: 0) == 20_000)
            #expect(try scores.decode(Int.self, at: 1) == 1)  // no score written twice
            #expect(try await db.query("SELECT count(*) FROM feedback WHERE scoring_state <> 'scored'").first!.decode(Int.self, at: 0) == 0)
            // Four processes drained the marks of the same days concurrently: the rollups still
            // equal the records.
            let day = try await db.query("SELECT date_trunc('day', min(created_at) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' FROM feedback")
                .first!.decode(Date.self, at: 0)
            let query = ScorecardQuery(initiativeID: 1, from: day, to: day.addingTimeInterval(2 * 86_400))
            let fromRollups = try await db.withConnection { try await Scorecards(source: .rollups).scorecard(query, on: $0) }
            let fromRecords = try await db.withConnection { try await Scorecards(source: .records).scorecard(query, on: $0) }
            #expect(fromRollups == fromRecords)
            #expect(fromRollups.sentiment.overall.scored == 20_000)
        }
    }

    @Test func jobsOfAKilledWorkerCompleteOnAnotherAfterTheLease() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, configuration in
            try await db.query(
                """
                INSERT INTO jobs (kind, payload)
                SELECT 'sleep', '{"seconds": 600, "onAttempts": [1]}' FROM generate_series(1, 10)
                """
            )
            let first = try Self.startWorker(database: configuration.database!, ["--workers", "10", "--lease", "2"])
            let holding = try await waitUntil(.seconds(60)) {
                try await db.query("SELECT count(*) FROM jobs WHERE state = 'running'").first!.decode(Int.self, at: 0) == 10
            }
            #expect(holding)
            kill(first.processIdentifier, SIGKILL)
            await first.exited()
            let second = try Self.startWorker(
                database: configuration.database!,
                ["--workers", "10", "--lease", "2", "--maintenance-interval", "1"]
            )
            let completed = try await waitUntil(.seconds(60)) {
                try await db.query("SELECT count(*) FROM jobs WHERE state = 'completed'").first!.decode(Int.self, at: 0) == 10
            }
            second.terminate()
            await second.exited()
            #expect(completed)
            let rescued = try await db.query(
                "SELECT count(*) FROM jobs WHERE attempt = 2 AND last_error LIKE 'lease expired%'"
            ).first!.decode(Int.self, at: 0)
            #expect(rescued == 10)
        }
    }
}

@Suite("chorus rescore and chorus jobs (integration)")
struct RescoreCommandTests {
    @Test func rescoreScoresWhatHasNoCurrentScoreAndReports() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, configuration in
            try await db.query("INSERT INTO initiatives (slug, title, theme_keywords) VALUES ('tech', '{\"en\": \"Technology\"}', '{wifi}')")
            try await db.query(
                "INSERT INTO feedback (initiative_id, comment, receipt) SELECT 1, 'The wifi is good ' || i, 'R' || i FROM generate_series(1, 50) i"
            )
            let environment = ChildProcess.environment(databaseURL: try TestDatabase.url(database: configuration.database!), logLevel: "error")
            let first = try await ChildProcess.run(["rescore", "--initiative", "tech"], environment: environment)
            #expect(first.status == 0)
            #expect(first.text.contains("Re-scored 50 text(s)"), "\(first.text)")
            #expect(try await db.query("SELECT count(*) FROM text_scores").first!.decode(Int.self, at: 0) == 50)
            // A second run finds nothing left to do.
            let again = try await ChildProcess.run(["rescore"], environment: environment)
            #expect(again.text.contains("Re-scored 0 text(s)"), "\(again.text)")
            let stats = try await ChildProcess.run(["jobs", "--json"], environment: environment).output
            let counts = ((try JSONSerialization.jsonObject(with: stats) as? [String: Any])?["counts"] as? [[String: Any]] ?? [])
                .filter { $0["kind"] as? String == TextScoring.kind }
            #expect(counts.count == 1 && counts.first?["count"] as? Int == 50 && counts.first?["state"] as? String == "completed")
        }
    }
}

@Suite("chorus privacy (integration)")
struct PrivacyCommandTests {
    func run(_ arguments: [String], database: String) async throws -> (Int32, String) {
        let environment = ChildProcess.environment(databaseURL: try TestDatabase.url(database: database), logLevel: "error")
        let finished = try await ChildProcess.run(arguments, environment: environment)
        return (finished.status, finished.text)
    }

    @Test func exportThenEraseAPerson() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, configuration in
            try await db.withTransaction { tx in
                let initiative = try await ReferenceData().createInitiative(.init(slug: "cli", title: Translated(["en": "CLI"])), on: tx)
                _ = try await Submissions().submitFeedback(
                    .init(
                        initiativeID: initiative.id,
                        schoolID: nil,
                        group: .families,
                        language: nil,
                        comment: "Please call me",
                        contact: .init(name: "Marta", email: "marta@example.org", phone: nil, consent: true)
                    ),
                    on: tx
                )
            }
            let (exportStatus, exported) = try await run(["privacy", "export", "--contact", "marta@example.org"], database: configuration.database!)
            #expect(exportStatus == 0)
            let json = try JSONSerialization.jsonObject(with: Data(exported.utf8)) as? [String: Any]
            #expect((json?["contact"] as? [String: String])?["email"] == "marta@example.org")
            #expect((json?["feedback"] as? [[String: String]])?.first?["comment"] == "Please call me")
            // The export is in the audit log, without the contact itself.
            let audited = try await db.query(
                "SELECT count(*) FROM audit_log WHERE action = 'export' AND entity = 'participant' AND new_values::text NOT LIKE '%marta%'"
            ).first!.decode(Int.self, at: 0)
            #expect(audited == 1)
            let (eraseStatus, erased) = try await run(["privacy", "erase", "--contact", "marta@example.org"], database: configuration.database!)
            #expect(eraseStatus == 0 && erased.contains("1 record(s) kept"))
            #expect(try await db.query("SELECT count(*) FROM participant_contacts").first!.decode(Int.self, at: 0) == 0)
            #expect(try await db.query("SELECT count(*) FROM feedback WHERE participant_id IS NULL").first!.decode(Int.self, at: 0) == 1)
            let (againStatus, _) = try await run(["privacy", "export", "--contact", "marta@example.org"], database: configuration.database!)
            #expect(againStatus != 0)  // nobody left to export
        }
    }
}

@Suite("chorus import from a file (integration)")
struct ImportCommandTests {
    @Test func importsAGoodSheetAndRefusesABadOneWholly() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, configuration in
            try await db.withTransaction { tx in
                let initiative = try await ReferenceData().createInitiative(.init(slug: "imp", title: Translated(["en": "Import"])), on: tx)
                _ = try await Events().create(
                    .init(
                        title: Translated(["en": "Night"]),
                        kind: "meeting",
                        initiativeIDs: [initiative.id],
                        schoolID: nil,
                        location: nil,
                        startsAt: Date(timeIntervalSince1970: 1_790_000_000),
                        endsAt: Date(timeIntervalSince1970: 1_790_003_600),
                        capacity: nil
                    ),
                    recordedBy: nil,
                    on: tx
                )
            }
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("import-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let good = directory.appendingPathComponent("good.csv")
            let bad = directory.appendingPathComponent("bad.csv")
            try "group,count,email,consent\nfamilies,12,,\nstudents,,s@x.org,yes\n".write(to: good, atomically: true, encoding: .utf8)
            try "group,count\nfamilies,3\naliens,1\n".write(to: bad, atomically: true, encoding: .utf8)
            func run(_ file: URL) async throws -> (Int32, String) {
                let environment = ChildProcess.environment(databaseURL: try TestDatabase.url(database: configuration.database!), logLevel: "error")
                let finished = try await ChildProcess.run(
                    ["import", "attendance", file.path, "--event", "1"],
                    environment: environment,
                    errorsInOutput: true
                )
                return (finished.status, finished.text)
            }
            let (goodStatus, goodText) = try await run(good)
            #expect(goodStatus == 0 && goodText.contains("Imported 2 attendance row(s)"), "\(goodText)")
            let (badStatus, badText) = try await run(bad)
            #expect(badStatus != 0 && badText.contains("line 3: unknown group \"aliens\""), "\(badText)")
            #expect(!badText.contains("malformed"))
            #expect(try await db.query("SELECT sum(count) FROM attendance").first!.decode(Int.self, at: 0) == 13)
        }
    }
}

@Suite("chorus serve and work need a migrated database (integration)")
struct PendingMigrationTests {
    @Test func serveAndWorkRefuseToStartNamingTheCommand() async throws {
        try await TestDatabase.withDatabase(migrated: false) { db, configuration in
            for command in [["serve", "--port", "18321"], ["work"]] {
                let environment = ChildProcess.environment(databaseURL: try TestDatabase.url(database: configuration.database!), logLevel: "error")
                let process = try await ChildProcess.run(command, environment: environment)
                let text = String(decoding: process.errors, as: UTF8.self)
                #expect(process.status != 0, "\(command)")
                #expect(text.contains("not migrated") && text.contains("chorus migrate"), "\(command): \(text)")
                #expect(text.contains("0001_foundation (pending)"), "\(text)")
            }
        }
    }
}
