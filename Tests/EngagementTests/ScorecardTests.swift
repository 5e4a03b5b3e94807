import Engagement
import Foundation
import Postgres
import PostgresTesting
import Scoring
import Testing

/// A small district built by hand; every expected figure below is worked out in the comments.
@Suite("Scorecard on a hand-built data set (integration)")
struct ScorecardTests {
    static let from = Date(timeIntervalSince1970: 1_788_220_800)  // 2026-09-01
    static let to = Date(timeIntervalSince1970: 1_790_812_800)  // 2026-10-01 (30 days)

    /// Schools A (100 enrolled, North), B (200, North), C (50, South); initiative X with targets
    /// reach 200/100 a year, voice 100/100 a year, participation 0.5, 100 volunteer hours a year.
    func build(_ db: PostgresClient) async throws -> Int64 {
        try await db.withTransaction { tx in
            try await tx.executeScript(
                unsafeSQL: """
                    -- The hand computations below count UTC days (DistrictClockTests counts New York's).
                    UPDATE district_settings SET time_zone = 'UTC';
                    INSERT INTO schools (code, name, cluster, level, enrollment) VALUES
                        ('A', 'School A', 'North', 'elementary', 100), ('B', 'School B', 'North', 'middle', 200),
                        ('C', 'School C', 'South', 'high', 50);
                    INSERT INTO initiatives (slug, title, targets) VALUES
                        ('x', '{"en": "Initiative X"}', '{"reach_per_100": 200, "voice_per_100": 100, "participation_rate": 0.5, "volunteer_hours": 100}');
                    INSERT INTO participants (contact_hash) SELECT sha256(convert_to('p' || i, 'UTF8')) FROM generate_series(1, 27) i;
                    INSERT INTO surveys (initiative_id, title, opens_at) VALUES (1, '{"en": "S", "es": "S"}', '2026-01-01');
                    -- 12 responses at A from p1..p12 (families); 2 anonymous ones in the previous period.
                    INSERT INTO responses (survey_id, initiative_id, school_id, participant_id, stakeholder_group, language, receipt, submitted_at)
                    SELECT 1, 1, 1, i, 'families', 'en', 'R' || i, '2026-09-10' FROM generate_series(1, 12) i;
                    INSERT INTO responses (survey_id, initiative_id, school_id, stakeholder_group, language, receipt, submitted_at)
                    VALUES (1, 1, 1, 'families', 'en', 'P1', '2026-08-20'), (1, 1, 1, 'families', 'en', 'P2', '2026-08-21');
                    -- 3 anonymous comments at B from students (ids 1-3), 10 from p13..p22 (families, ids 4-13).
                    INSERT INTO feedback (initiative_id, school_id, stakeholder_group, language, comment, receipt, created_at)
                    SELECT 1, 2, 'students', 'en', 'comment ' || i, 'F' || i, '2026-09-15' FROM generate_series(1, 3) i;
                    INSERT INTO feedback (initiative_id, school_id, participant_id, stakeholder_group, language, comment, receipt, created_at)
                    SELECT 1, 2, 12 + i, 'families', 'es', 'comentario ' || i, 'G' || i, '2026-09-22' FROM generate_series(1, 10) i;
                    -- One event at A (capacity 50): a headcount of 20 families, check-ins of p1 and p23.
                    INSERT INTO events (title, kind, school_id, starts_at, ends_at, capacity)
                    VALUES ('{"en": "Night"}', 'family_night', 1, '2026-09-17 23:00', '2026-09-18 01:00', 50);
                    INSERT INTO event_initiatives VALUES (1, 1);
                    INSERT INTO attendance (event_id, kind, stakeholder_group, count, participant_id) VALUES
                        (1, 'headcount', 'families', 20, NULL), (1, 'checkin', 'families', 1, 1), (1, 'checkin', 'families', 1, 23);
                    -- A shift at C: p24 attended (3 h approved), p25 confirmed, p26 waitlisted, p27 cancelled.
                    INSERT INTO volunteer_opportunities (initiative_id, school_id, title) VALUES (1, 3, '{"en": "Garden"}');
                    INSERT INTO volunteer_shifts (opportunity_id, starts_at, ends_at, capacity) VALUES (1, '2026-09-20 15:00', '2026-09-20 18:00', 2);
                    INSERT INTO signups (shift_id, participant_id, stakeholder_group, status, hours_approved) VALUES
                        (1, 24, 'families', 'attended', 3), (1, 25, 'families', 'confirmed', NULL),
                        (1, 26, 'families', 'waitlisted', NULL), (1, 27, 'families', 'cancelled', NULL);
                    """
            )
            // Scores: comments 1, 2, 3 (en) have compound 0.5, -0.5, 0.0; comments 4-13 (es) 0.2.
            // Themes: "technology" on comments 1 and 4, "transport" on comment 2.
            let version = TextScorer.version
            for (id, language, compound, themes) in [
                (1, "en", 0.5, #"[{"theme":"technology","matched":["wifi"]}]"#), (2, "en", -0.5, #"[{"theme":"transport","matched":["bus"]}]"#),
                (3, "en", 0.0, "[]"),
            ] + (4...13).map({ ($0, "es", 0.2, $0 == 4 ? #"[{"theme":"technology","matched":["wifi"]}]"# : "[]") }) {
                try await tx.query(
                    """
                    INSERT INTO text_scores (source, source_id, scorer_version, initiative_id, language, neg, neu, pos, compound, keyphrases, themes)
                    VALUES ('feedback', \(id), \(version), 1, \(language), 0, 1, 0, \(compound), '[]', \(themes)::jsonb)
                    """
                )
            }
            return 1
        }
    }

    /// Builds the data set; for the rollup source, rolls it up as the workers would.
    func build(_ db: PostgresClient, for source: Scorecards.Source) async throws -> Int64 {
        let initiative = try await build(db)
        if source == .rollups { #expect(try await Rollups(database: db).refreshPending() > 0) }
        return initiative
    }

    @Test(arguments: [Scorecards.Source.records, .rollups])
    func everyMetricMatchesTheHandComputation(source: Scorecards.Source) async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let initiative = try await build(db, for: source)
            let card = try await db.withConnection {
                try await Scorecards(source: source).scorecard(.init(initiativeID: initiative, from: Self.from, to: Self.to), on: $0)
            }
            // Reach: known people p1..p12, p13..p22, p23 (p1 again at the event), p24..p26 = 26;
            // anonymous: 3 comments + a headcount of 20 = 23; 49 in all. Schools touched A, B, C:
            // 350 enrolled, so 14.0 per 100.
            #expect(card.reach.participants == 49 && card.reach.enrolled == 350)
            #expect(card.reach.per100Enrolled == 14.0 && !card.reach.suppressed)
            // Voice: 12 responses + 13 comments = 25 → 25 / 350 × 100 = 7.1429.
            #expect(card.voice.responses == 12 && card.voice.feedback == 13 && card.voice.per100Enrolled == 7.1429)
            // Participation: 1 event, 22 attended of 50 places → 0.44.
            #expect(card.participation.events == 1 && card.participation.attendance == 22)
            #expect(card.participation.capacity == 50 && card.participation.fillRate == 0.44)
            // Volunteering: 3 active sign-ups (the cancelled one is out), 1 waitlisted, 1 attended, 3 h.
            #expect(card.volunteering.signups == 3 && card.volunteering.waitlisted == 1)
            #expect(card.volunteering.attended == 1 && card.volunteering.approvedHours == 3)
            // Sentiment: (0.5 − 0.5 + 0 + 10 × 0.2) / 13 = 0.1538; positive 11/13, neutral 1/13,
            // negative 1/13; English has 3 scored comments (< 10: suppressed), Spanish 10.
            #expect(card.sentiment.overall.meanCompound == 0.1538)
            #expect(card.sentiment.overall.positiveShare == 0.8462)
            #expect(card.sentiment.overall.neutralShare == 0.0769)
            #expect(card.sentiment.overall.negativeShare == 0.0769)
            let english = try #require(card.sentiment.byLanguage.first { $0.language == "en" })
            #expect(english.suppressed && english.meanCompound == nil && english.scored == 3)
            let spanish = try #require(card.sentiment.byLanguage.first { $0.language == "es" })
            #expect(!spanish.suppressed && spanish.meanCompound == 0.2 && spanish.positiveShare == 1)
            // Index v1 over 30 days (targets prorated by 30/365):
            let share = 30.0 / 365
            let reachScore = min(100, 14.0 / (200 * share) * 100)  // 85.1667
            let voiceScore = min(100, (25.0 / 350 * 100) / (100 * share) * 100)  // 86.9048
            let participationScore = 0.44 / 0.5 * 100  // 88
            let volunteeringScore = 3 / (100 * share) * 100  // 36.5
            let sentimentScore = (2.0 / 13 + 1) / 2 * 100  // 57.6923
            let expected = reachScore * 0.3 + voiceScore * 0.2 + participationScore * 0.2 + volunteeringScore * 0.15 + sentimentScore * 0.15
            #expect(abs(card.index.value - expected) < 0.001, "index \(card.index.value), by hand \(expected)")
            #expect(card.index.version == "v1")
            let components = Dictionary(uniqueKeysWithValues: card.index.components.map { ($0.name, $0) })
            #expect(abs(components["reach"]!.normalized - reachScore) < 0.001)
            #expect(abs(components["voice"]!.normalized - voiceScore) < 0.001)
            #expect(components["participation"]!.normalized == 88 && components["participation"]!.weight == 0.2)
            #expect(abs(components["volunteering"]!.normalized - volunteeringScore) < 0.001)
            #expect(abs(components["sentiment"]!.normalized - sentimentScore) < 0.001)
            #expect(abs(components["reach"]!.target - 200 * share) < 0.001)
            // Trend: the previous 30 days held the 2 anonymous responses: too few people to show.
            #expect(card.previous.responses == 2 && card.previous.participants == nil)
            #expect(card.index.previous != nil)
            // Themes: technology on 2 comments, transport on 1; examples newest id first.
            #expect(card.themes.map(\.name) == ["technology", "transport"])
            #expect(card.themes[0].count == 2 && card.themes[0].exampleFeedbackIDs == [4, 1] && card.themes[0].previousCount == 0)
            // Equity: A has p1..p12, p23 and a headcount of 20 = 33 → 33.0 per 100; B 13 → 6.5;
            // C 3 people → suppressed. Median of 33.0 and 6.5 = 19.75; B is below half of it.
            #expect(card.equity.districtMedianPer100 == 19.75)
            let cells = Dictionary(uniqueKeysWithValues: card.equity.schools.map { ($0.code, $0) })
            #expect(cells["A"]!.per100Enrolled == 33 && cells["A"]!.belowHalfMedian == false)
            #expect(cells["B"]!.per100Enrolled == 6.5 && cells["B"]!.belowHalfMedian == true)
            #expect(cells["C"]!.suppressed && cells["C"]!.participants == nil && cells["C"]!.belowHalfMedian == nil)
            // Weekly series (ISO weeks from Monday): Sept 7 (responses), 14 (comments, the event,
            // and the shift on Sunday the 20th), 21 (the Spanish comments of the 22nd).
            #expect(card.weekly.map(\.weekStart) == ["2026-09-07", "2026-09-14", "2026-09-21"])
            #expect(card.weekly.map(\.responses) == [12, 0, 0] && card.weekly.map(\.feedback) == [0, 3, 10])
            #expect(card.weekly.map(\.attendance) == [0, 22, 0] && card.weekly.map(\.approvedHours) == [0, 3, 0])
        }
    }

    @Test(arguments: [Scorecards.Source.records, .rollups])
    func slicesAndSuppression(source: Scorecards.Source) async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let initiative = try await build(db, for: source)
            let students = try await db.withConnection {
                try await Scorecards(source: source).scorecard(
                    .init(initiativeID: initiative, from: Self.from, to: Self.to, group: .students),
                    on: $0
                )
            }
            // Only the 3 anonymous student comments: under 10 people, shown as suppressed, not zero.
            #expect(students.reach.suppressed && students.reach.participants == nil && students.voice.feedback == 3)
            let south = try await db.withConnection {
                try await Scorecards(source: source).scorecard(
                    .init(initiativeID: initiative, from: Self.from, to: Self.to, cluster: "South"),
                    on: $0
                )
            }
            #expect(south.reach.enrolled == 50 && south.volunteering.signups == 3 && south.voice.responses == 0)
            #expect(south.equity.schools.map(\.code) == ["C"])
            let schoolA = try await db.withConnection {
                try await Scorecards(source: source).scorecard(.init(initiativeID: initiative, from: Self.from, to: Self.to, schoolID: 1), on: $0)
            }
            #expect(schoolA.reach.participants == 33 && schoolA.reach.per100Enrolled == 33)
        }
    }

    @Test func badFiltersAreClearErrors() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let initiative = try await build(db)
            func fails(_ query: ScorecardQuery) async -> [String] {
                do {
                    _ = try await db.withConnection { try await Scorecards().scorecard(query, on: $0) }
                    return []
                } catch let error as EngagementError {
                    return error.fields.map(\.field) + [error.code == .notFound ? "notFound" : ""]
                } catch {
                    return ["\(error)"]
                }
            }
            #expect(await fails(.init(initiativeID: 999, from: Self.from, to: Self.to)).contains("notFound"))
            #expect(await fails(.init(initiativeID: initiative, from: Self.to, to: Self.from)).contains("to"))
            #expect(await fails(.init(initiativeID: initiative, from: Self.from, to: Self.from.addingTimeInterval(50 * 365 * 86_400))).contains("to"))
            #expect(await fails(.init(initiativeID: initiative, from: Self.from, to: Self.to, cluster: "Nowhere")).contains("cluster"))
            #expect(await fails(.init(initiativeID: initiative, from: Self.from, to: Self.to, schoolID: 4242)).contains("school_id"))
        }
    }
}
