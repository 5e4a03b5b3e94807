import Engagement
import Foundation
import Jobs
import Postgres
import PostgresTesting
import Testing

/// The rollups, kept current by real workers while records are inserted, updated, cancelled,
/// erased and rescored, always give the scorecard the records give.
@Suite("Scorecard rollups stay equal to the records (integration)")
struct RollupTests {
    static let from = Date(timeIntervalSince1970: 1_788_220_800)  // 2026-09-01

    /// Random activity over 60 days in 3 initiatives and 6 schools (two clusters).
    func insertRandomActivity(_ db: PostgresConnection, round: Int) async throws {
        try await db.query("SELECT setseed(\(Double(round) / 100))")
        try await db.query(
            """
            INSERT INTO responses (survey_id, initiative_id, school_id, participant_id, stakeholder_group, language, receipt, submitted_at)
            SELECT s.id, s.initiative_id, CASE WHEN random() < 0.9 THEN 1 + (random() * 5)::int END,
                   CASE WHEN random() < 0.5 THEN 1 + (random() * 39)::int END,
                   (ARRAY['families','students','teachers_staff'])[1 + (random() * 2)::int]::stakeholder_group, 'en',
                   \("R\(round)-") || i, timestamptz '2026-09-01' + random() * interval '60 days'
            FROM generate_series(1, 150) AS i JOIN surveys s ON s.id = 1 + i % 3
            """
        )
        try await db.query(
            """
            INSERT INTO answers (response_id, question_id, text, scoring_state)
            SELECT r.id, q.id, (ARRAY['The wifi is great', 'The bus is late and I am angry', 'Books!', 'El autobús llega tarde'])[1 + (random() * 3)::int],
                   'pending'
            FROM responses r JOIN survey_questions q ON q.survey_id = r.survey_id
            WHERE r.receipt LIKE \("R\(round)-%") AND random() < 0.6
            """
        )
        try await db.query(
            """
            INSERT INTO feedback (initiative_id, school_id, participant_id, stakeholder_group, language, comment, receipt, created_at)
            SELECT 1 + i % 3, CASE WHEN random() < 0.8 THEN 1 + (random() * 5)::int END, CASE WHEN random() < 0.4 THEN 1 + (random() * 39)::int END,
                   'families', 'en', (ARRAY['Love the new laptops', 'The wifi is slow', 'Reading night was wonderful', 'Lunch is too short'])[1 + i % 4],
                   \("F\(round)-") || i, timestamptz '2026-09-01' + random() * interval '60 days'
            FROM generate_series(1, 80) AS i
            """
        )
        try await db.query(
            """
            WITH new_events AS (
                INSERT INTO events (title, kind, school_id, starts_at, ends_at, capacity)
                SELECT jsonb_build_object('en', 'Event ' || i), 'community', 1 + (random() * 5)::int, t, t + interval '2 hours', CASE WHEN i % 4 <> 0 THEN 30 + i END
                FROM generate_series(1, 8) AS i, LATERAL (SELECT timestamptz '2026-09-01' + (random() + i * 0) * interval '60 days' AS t) x
                RETURNING id)
            INSERT INTO event_initiatives (event_id, initiative_id)
            SELECT id, 1 + id % 3 FROM new_events UNION SELECT id, 1 + (id + 1) % 3 FROM new_events WHERE id % 2 = 0
            """
        )
        try await db.query(
            """
            INSERT INTO attendance (event_id, kind, stakeholder_group, count, participant_id, recorded_at)
            SELECT e.id, CASE WHEN p IS NULL THEN 'headcount' ELSE 'checkin' END, 'families', CASE WHEN p IS NULL THEN (random() * 25)::int ELSE 1 END,
                   p, e.starts_at
            FROM events e CROSS JOIN generate_series(1, 6) AS n,
                 LATERAL (SELECT CASE WHEN n > 1 THEN 1 + (random() * 39 + e.id * 0)::int END AS p) x
            WHERE e.title ->> 'en' LIKE 'Event %' AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.event_id = e.id)
            ON CONFLICT DO NOTHING
            """
        )
        try await db.query(
            """
            WITH shift AS (
                INSERT INTO volunteer_shifts (opportunity_id, starts_at, ends_at, capacity)
                SELECT 1 + i % 3, t, t + interval '3 hours', 20 FROM generate_series(1, 4) AS i,
                       LATERAL (SELECT timestamptz '2026-09-01' + (random() + i * 0) * interval '60 days' AS t) x
                RETURNING id)
            INSERT INTO signups (shift_id, participant_id, stakeholder_group, status, hours_approved)
            SELECT shift.id, p, 'families', (ARRAY['confirmed','waitlisted','attended'])[1 + p % 3]::signup_status, CASE WHEN p % 3 = 2 THEN 1.5 END
            FROM shift CROSS JOIN generate_series(1 + \(round), 12 + \(round)) AS p
            """
        )
    }

    /// Updates of every kind a rollup must follow.
    func changeThings(_ db: PostgresConnection) async throws {
        // Cancelled sign-ups and approved hours.
        try await db.query("UPDATE signups SET status = 'cancelled' WHERE id % 5 = 0")
        try await db.query("UPDATE signups SET hours_approved = 2.25, status = 'attended' WHERE id % 7 = 0 AND status <> 'cancelled'")
        // An event moved two days later and to another school; a corrected headcount.
        try await db.query(
            "UPDATE events SET starts_at = starts_at + interval '2 days', ends_at = ends_at + interval '2 days', school_id = 6 WHERE id % 4 = 1"
        )
        try await db.query("UPDATE attendance SET count = count + 3 WHERE kind = 'headcount' AND id % 2 = 0")
        // People erased: their records stay, anonymous.
        try await db.query("UPDATE responses SET participant_id = NULL WHERE participant_id IN (3, 4)")
        try await db.query("UPDATE feedback SET participant_id = NULL WHERE participant_id IN (3, 4)")
        try await db.query("UPDATE attendance SET participant_id = NULL, kind = 'headcount' WHERE participant_id IN (3, 4)")
        try await db.query("UPDATE signups SET participant_id = NULL WHERE participant_id IN (3, 4)")
        // A comment deleted with its score, and rescoring that changes scores.
        try await db.query("DELETE FROM text_scores WHERE source = 'feedback' AND source_id IN (SELECT id FROM feedback WHERE id % 11 = 0)")
        try await db.query("DELETE FROM feedback WHERE id % 11 = 0")
        try await db.query("UPDATE text_scores SET compound = -0.3, pos = 0, neg = 0.4 WHERE source_id % 6 = 0")
        // A response moved to another day, and an event unlinked from an initiative.
        try await db.query("UPDATE responses SET submitted_at = submitted_at - interval '3 days' WHERE id % 13 = 0")
        try await db.query("DELETE FROM event_initiatives WHERE event_id % 3 = 0 AND initiative_id = 2")
    }

    @Test func rollupsEqualTheRecordsAfterInsertsUpdatesAndRescoring() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            try await db.withTransaction { tx in
                try await tx.executeScript(
                    unsafeSQL: """
                        UPDATE district_settings SET time_zone = 'UTC';
                        INSERT INTO schools (code, name, cluster, level, enrollment) VALUES
                            ('A', 'A', 'North', 'elementary', 100), ('B', 'B', 'North', 'middle', 200), ('C', 'C', 'North', 'high', 300),
                            ('D', 'D', 'South', 'elementary', 150), ('E', 'E', 'South', 'k8', 250), ('F', 'F', 'South', 'high', 50);
                        INSERT INTO initiatives (slug, title, theme_keywords) VALUES
                            ('tech', '{"en": "Technology"}', '{wifi,laptop}'), ('reading', '{"en": "Reading"}', '{books,reading}'),
                            ('transport', '{"en": "Transport"}', '{bus}');
                        INSERT INTO participants (contact_hash) SELECT sha256(convert_to('p' || i, 'UTF8')) FROM generate_series(1, 40) AS i;
                        INSERT INTO surveys (initiative_id, title, opens_at) SELECT id, title, '2026-08-01' FROM initiatives;
                        INSERT INTO survey_questions (survey_id, position, kind, prompt) SELECT id, 1, 'text', '{"en": "Tell us", "es": "Díganos"}' FROM surveys;
                        INSERT INTO volunteer_opportunities (initiative_id, school_id, title) SELECT id, id, '{"en": "Help"}' FROM initiatives;
                        """
                )
            }
            let processor = JobProcessor(
                database: db,
                configuration: .init(concurrency: 4, pollInterval: .milliseconds(50)),
                handlers: try EngagementJobs.handlers(database: db),
                logger: TestDatabase.logger
            )
            // Two drainers, as two worker processes would run them.
            let drainers = (0..<2).map { _ in
                RollupService(rollups: Rollups(database: db), pollInterval: .milliseconds(20), logger: TestDatabase.logger)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await processor.run() }
                for drainer in drainers { group.addTask { try await drainer.run() } }
                // Writes land while the workers roll up and score.
                for round in 1...3 {
                    try await db.withTransaction { try await insertRandomActivity($0, round: round) }
                    _ = try await TextScoring.enqueueRescore(initiativeID: nil, since: nil, all: false, on: db)
                }
                try await db.withConnection { try await changeThings($0) }
                try await db.withTransaction { try await insertRandomActivity($0, round: 4) }
                _ = try await TextScoring.enqueueRescore(initiativeID: nil, since: nil, all: false, on: db)
                let idle = try await Self.waitUntilNoJobsPending(db)
                group.cancelAll()
                #expect(idle)
            }
            #expect(try await db.query("SELECT count(*) FROM rollup_activity").first!.decode(Int.self, at: 0) > 100)
            // The per-year reference counts are exact: none at or below zero, counters equal to the rows.
            #expect(try await db.query("SELECT count(*) FROM rollup_year_people WHERE refs <= 0").first!.decode(Int.self, at: 0) == 0)
            let mismatched = try await db.query(
                """
                SELECT count(*) FROM rollup_year_reach r FULL JOIN (
                    SELECT initiative_id, school_year, count(*) AS n FROM rollup_year_people GROUP BY 1, 2) c
                    ON c.initiative_id = r.initiative_id AND c.school_year = r.school_year
                WHERE coalesce(r.participants, 0) <> coalesce(c.n, 0)
                """
            ).first!.decode(Int.self, at: 0)
            #expect(mismatched == 0)
            var queries: [ScorecardQuery] = []
            let sixtyDays = Self.from.addingTimeInterval(63 * 86_400)
            for initiative: Int64? in [nil, 1, 2, 3] {
                queries.append(.init(initiativeID: initiative, from: Self.from, to: sixtyDays))
                queries.append(
                    .init(initiativeID: initiative, from: Self.from.addingTimeInterval(14 * 86_400), to: Self.from.addingTimeInterval(21 * 86_400))
                )
                queries.append(.init(initiativeID: initiative, from: Self.from, to: sixtyDays, schoolID: 2))
                queries.append(.init(initiativeID: initiative, from: Self.from, to: sixtyDays, cluster: "South"))
                // The school year: reach from the per-year counters.
                let year = DistrictClock(timeZone: .gmt).schoolYear(containing: Self.from)
                queries.append(.init(initiativeID: initiative, from: year.from, to: year.to))
            }
            for query in queries {
                let fromRollups = try await db.withConnection { try await Scorecards(source: .rollups).scorecard(query, on: $0) }
                let fromRecords = try await db.withConnection { try await Scorecards(source: .records).scorecard(query, on: $0) }
                #expect(fromRollups == fromRecords, "\(query)")
                #expect(fromRecords.voice.responses + fromRecords.voice.feedback > 0 || query.schoolID != nil)
            }
            for query in queries where query.initiativeID == nil {
                let fromRollups = try await db.withConnection { try await Scorecards(source: .rollups).all(query, on: $0) }
                let fromRecords = try await db.withConnection { try await Scorecards(source: .records).all(query, on: $0) }
                #expect(fromRollups == fromRecords, "\(query)")
                #expect(fromRollups.count == 3)
            }
        }
    }

    static func waitUntilNoJobsPending(_ db: PostgresClient) async throws -> Bool {
        // A bound, not a timing: alone this takes seconds, but in the full parallel run on two
        // cores (clusters started by other suites, child processes) it took up to 200 s.
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            // A drain in flight has not committed its delete: its marks still count.
            let pending = try await db.query(
                "SELECT count(*) + (SELECT count(*) FROM rollup_dirty_days) FROM jobs WHERE state IN ('available', 'retryable', 'running')"
            )
            .first!.decode(Int.self, at: 0)
            if pending == 0 { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        // What kept it busy, for the failure's record.
        let left = try await db.query(
            "SELECT kind || ' ' || state::text || ' attempt ' || attempt || ': ' || coalesce(last_error, '') FROM jobs WHERE state <> 'completed' LIMIT 5"
        ).map { try $0.decode(String.self, at: 0) }
        let dirty = try await db.query("SELECT count(*)::int FROM rollup_dirty_days").one().decode(Int.self, at: 0)
        print("not idle: \(dirty) dirty days; jobs: \(left)")
        return false
    }
}
