import Foundation
import Postgres
import PostgresTesting
import Scoring
import Testing

@testable import Engagement

/// Survey results on a hand-built data set; every expected figure is worked out in the comments.
@Suite("Survey results on a hand-built data set (integration)")
struct SurveyResultsTests {
    /// Schools A (100 enrolled), B (200), C (50). Survey 1, the earlier wave: 20 families at A
    /// answer 3 to its one five-point question. Survey 2 (the wave reported): 30 families at A
    /// (English, k = 1…30) and 20 at B (Spanish, k = 1…20), five questions (ids 2–6):
    /// Q1 (2) five points, reworded after A answered (A gave version 1, B version 2), linked to survey 1's question;
    ///   A: k1–2 → 1, k3–5 → 2, k6–10 → 3, k11–20 → 4, k21–30 → 5; B: k1–10 → 3, k11–20 → 4.
    /// Q2 (3) 0–10, a recommendation question; A: k1–10 → 10, k11–15 → 9, k16–25 → 8, k26–30 → 5;
    ///   B: k1–10 → 10, k11–20 → 0.
    /// Q3 (4) one choice; A: k1–20 yes, k21–30 no; B: k1–10 yes, k11–20 maybe.
    /// Q4 (5) several choices, only A answers: a for k ≤ 25, b for k ≥ 16, c for k ≤ 3.
    /// Q5 (6) text, A's k1–24: compound 0.5 for k ≤ 12, −0.25 after; theme technology on k1–11.
    static let script = """
        UPDATE district_settings SET time_zone = 'UTC';
        INSERT INTO schools (code, name, cluster, level, enrollment) VALUES
            ('A', 'School A', 'North', 'elementary', 100), ('B', 'School B', 'North', 'middle', 200), ('C', 'School C', 'South', 'high', 50);
        INSERT INTO initiatives (slug, title) VALUES ('x', '{"en": "X"}');
        INSERT INTO surveys (initiative_id, title, opens_at) VALUES (1, '{"en": "Wave 1"}', '2026-01-01');
        INSERT INTO survey_questions (survey_id, position, kind, prompt) VALUES (1, 1, 'likert_5', '{"en": "Satisfied?"}');
        INSERT INTO responses (survey_id, initiative_id, school_id, stakeholder_group, language, receipt, submitted_at)
        SELECT 1, 1, 1, 'families', 'en', 'W' || i, '2026-03-01' FROM generate_series(1, 20) i;
        INSERT INTO answers (response_id, question_id, number) SELECT id, 1, 3 FROM responses WHERE survey_id = 1;
        INSERT INTO surveys (initiative_id, title, opens_at, previous_survey_id) VALUES (1, '{"en": "Wave 2"}', '2026-08-01', 1);
        INSERT INTO survey_questions (survey_id, position, kind, prompt, choices, recommendation, previous_question_id, version) VALUES
            (2, 1, 'likert_5', '{"en": "Satisfied now?"}', '[]', false, 1, 2),
            (2, 2, 'rating_0_10', '{"en": "Recommend?"}', '[]', true, NULL, 1),
            (2, 3, 'choice', '{"en": "Again?"}',
             '[{"value": "yes", "label": {"en": "Yes"}}, {"value": "no", "label": {"en": "No"}}, {"value": "maybe", "label": {"en": "Maybe"}}]', false, NULL, 1),
            (2, 4, 'multi_choice', '{"en": "Which?"}',
             '[{"value": "a", "label": {"en": "A"}}, {"value": "b", "label": {"en": "B"}}, {"value": "c", "label": {"en": "C"}}]', false, NULL, 1),
            (2, 5, 'text', '{"en": "Tell us"}', '[]', false, NULL, 1);
        INSERT INTO question_versions (question_id, version, prompt, choices) VALUES (2, 1, '{"en": "Satisfied?"}', '[]');
        INSERT INTO responses (survey_id, initiative_id, school_id, stakeholder_group, language, receipt, submitted_at)
        SELECT 2, 1, 1, 'families', 'en', 'A' || k, '2026-09-10 12:00' FROM generate_series(1, 30) k;
        INSERT INTO responses (survey_id, initiative_id, school_id, stakeholder_group, language, receipt, submitted_at)
        SELECT 2, 1, 2, 'families', 'es', 'B' || k, '2026-09-11 12:00' FROM generate_series(1, 20) k;
        CREATE TEMPORARY TABLE k AS SELECT id, school_id AS s, substr(receipt, 2)::int AS k FROM responses WHERE survey_id = 2;
        INSERT INTO answers (response_id, question_id, number, question_version)
        SELECT id, 2, CASE WHEN s = 2 THEN CASE WHEN k <= 10 THEN 3 ELSE 4 END
                           WHEN k <= 2 THEN 1 WHEN k <= 5 THEN 2 WHEN k <= 10 THEN 3 WHEN k <= 20 THEN 4 ELSE 5 END,
               CASE WHEN s = 1 THEN 1 ELSE 2 END FROM k;
        INSERT INTO answers (response_id, question_id, number)
        SELECT id, 3, CASE WHEN s = 2 THEN CASE WHEN k <= 10 THEN 10 ELSE 0 END
                           WHEN k <= 10 THEN 10 WHEN k <= 15 THEN 9 WHEN k <= 25 THEN 8 ELSE 5 END FROM k;
        INSERT INTO answers (response_id, question_id, choices)
        SELECT id, 4, ARRAY[CASE WHEN s = 1 THEN CASE WHEN k <= 20 THEN 'yes' ELSE 'no' END ELSE CASE WHEN k <= 10 THEN 'yes' ELSE 'maybe' END END] FROM k;
        INSERT INTO answers (response_id, question_id, choices)
        SELECT id, 5, array_remove(ARRAY[CASE WHEN k <= 25 THEN 'a' END, CASE WHEN k >= 16 THEN 'b' END, CASE WHEN k <= 3 THEN 'c' END], NULL)
        FROM k WHERE s = 1 ORDER BY k;
        INSERT INTO answers (response_id, question_id, text, scoring_state) SELECT id, 6, 'answer ' || k, 'scored' FROM k WHERE s = 1 AND k <= 24 ORDER BY k;
        """

    func build(_ db: PostgresClient, rollUp: Bool) async throws {
        try await db.withTransaction { tx in
            try await tx.executeScript(unsafeSQL: Self.script)
            try await tx.query(
                """
                INSERT INTO text_scores (source, source_id, scorer_version, initiative_id, language, neg, neu, pos, compound, keyphrases, themes)
                SELECT 'answer', a.id, \(TextScorer.version), 1, 'en', 0, 1, 0, CASE WHEN k.k <= 12 THEN 0.5 ELSE -0.25 END, '[]',
                       CASE WHEN k.k <= 11 THEN '[{"theme": "technology", "matched": ["laptop"]}]' ELSE '[]' END::jsonb
                FROM answers a JOIN k ON k.id = a.response_id WHERE a.question_id = 6
                """
            )
        }
        if rollUp { #expect(try await Rollups(database: db).refreshPending() > 0) }
    }

    func results(_ db: PostgresClient, _ source: Scorecards.Source, _ query: ResultsQuery) async throws -> SurveyResults {
        try await db.withTransaction(isolation: .repeatableRead) { try await Results(source: source).results(query, on: $0) }
    }

    @Test(arguments: [Scorecards.Source.records, .rollups])
    func everyFigureMatchesTheHandComputation(source: Scorecards.Source) async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            try await build(db, rollUp: source == .rollups)
            let results = try await results(db, source, ResultsQuery(surveyID: 2))
            #expect(results.responses == 50 && results.minimumCell == 10 && results.survey.previousSurveyId == 1)
            let q = Dictionary(uniqueKeysWithValues: results.questions.map { ($0.id, $0) })
            func counts(_ id: Int64) -> [Int?] { q[id]!.overall.points.map(\.count) }

            // Q1: 1:2, 2:3, 3:15, 4:20, 5:10 (50). Points 1 and 2 are under 10 and hidden (two, so
            // neither follows from the total). Mean 183/50 = 3.66; s² = (719 − 183²/50)/49 =
            // 1.00449, SE = 0.14174, t(49) = 2.0096: 3.66 ± 0.2848 → [3.38, 3.94]. Top-2 30/50.
            let q1 = try #require(q[2])
            #expect(q1.overall.answered == 50 && q1.overall.skipped == 0)
            #expect(counts(2) == [nil, nil, 15, 20, 10])
            #expect(q1.overall.points.map(\.share) == [nil, nil, 0.3, 0.4, 0.2])
            #expect(q1.overall.mean == 3.66 && q1.overall.meanLow == 3.38 && q1.overall.meanHigh == 3.94)
            #expect(q1.overall.top2Share == 0.6)
            // Versions: A's 30 answers to "Satisfied?", B's 20 to "Satisfied now?".
            #expect(
                q1.versions == [
                    .init(version: 1, prompt: Translated(["en": "Satisfied?"]), answered: 30),
                    .init(version: 2, prompt: Translated(["en": "Satisfied now?"]), answered: 20),
                ]
            )
            // Trend: wave 1's mean 3.0 (SE 0) against 3.66 (SE 0.1417): +0.66 > 1.96 × 0.1417.
            #expect(
                q1.previous
                    == Trend(
                        surveyId: 1,
                        questionId: 1,
                        measure: "mean",
                        answered: 20,
                        previous: 3.0,
                        current: 3.66,
                        change: 0.66,
                        beyondMargin: true
                    )
            )

            // Q2: 0:10, 5:5, 8:10, 9:5, 10:20. Promoters 25, passives 10, detractors 15 (50):
            // NPS 100 × (0.5 − 0.3) = 20; variance 0.5 + 0.3 − 0.2² = 0.76; margin 196 × √(0.76/50) = 24.2.
            // 5 and 9 are hidden; the smallest non-zero cell beside each in its group goes too
            // (0 among the detractors, 10 among the promoters), else the group counts give them away.
            // Mean 350/50 = 7.0; s² = (3170 − 2450)/49 = 14.694, SE 0.5421 → ± 1.0894: [5.91, 8.09].
            let q2 = try #require(q[3])
            #expect(q2.recommendation && q2.overall.answered == 50)
            #expect(counts(3) == [nil, 0, 0, 0, 0, nil, 0, 0, 10, nil, nil])
            #expect(q2.overall.mean == 7.0 && q2.overall.meanLow == 5.91 && q2.overall.meanHigh == 8.09)
            #expect(q2.overall.nps == NPS(score: 20, margin: 24.2, promoters: 0.5, passives: 0.2, detractors: 0.3))
            #expect(q2.previous == nil && q2.versions == nil)

            // Q3: yes 30, no 10, maybe 10 of 50.
            let q3 = try #require(q[4])
            #expect(counts(4) == [30, 10, 10] && q3.overall.points.map(\.share) == [0.6, 0.2, 0.2])
            #expect(q3.overall.mean == nil && q3.overall.top2Share == nil)

            // Q4: 30 answered (B skipped all 20): a 25, b 15 — shares of respondents, 0.833 and
            // 0.5, summing past 1; c (3) hidden, and no total to recover it from.
            let q4 = try #require(q[5])
            #expect(q4.overall.answered == 30 && q4.overall.skipped == 20)
            #expect(counts(5) == [25, 15, nil] && q4.overall.points.map(\.share) == [0.833, 0.5, nil])

            // Q5: 24 texts, 12 positive (0.5), 12 negative (−0.25): mean (6 − 3)/24 = 0.125;
            // technology on 11 texts, the newest three as examples.
            let q5 = try #require(q[6])
            #expect(q5.overall.answered == 24 && q5.overall.skipped == 26)
            #expect(counts(6) == [12, 0, 12, 0])
            #expect(q5.overall.sentiment == TextSentiment(scored: 24, meanCompound: 0.125))
            #expect(q5.themes == [Topic(name: "technology", mentions: 11, examples: ["answer 11", "answer 10", "answer 9"])])
            #expect(q5.keyphrases == [])

            // Response rates (families): A 30/100 = 30, B 20/200 = 10, C 0; median 10, and C
            // is under half of it.
            #expect(results.responseRates.medianPer100Enrolled == 10)
            #expect(results.responseRates.schools.map(\.per100Enrolled) == [30, 10, 0])
            #expect(results.responseRates.schools.map(\.belowHalfMedian) == [false, false, true])
        }
    }

    @Test(arguments: [Scorecards.Source.records, .rollups])
    func aCrossTabBySchoolWithAGroupFilter(source: Scorecards.Source) async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            try await build(db, rollUp: source == .rollups)
            let results = try await results(db, source, ResultsQuery(surveyID: 2, group: .families, by: .school))
            #expect(results.slices == [.init(key: "1", name: "School A", responses: 30), .init(key: "2", name: "School B", responses: 20)])
            let q = Dictionary(uniqueKeysWithValues: results.questions.map { ($0.id, $0) })
            // Q3 by school: A yes 20, no 10, maybe 0 (of 30); B yes 10, no 0, maybe 10 (of 20).
            let q3 = try #require(q[4]?.slices)
            #expect(q3.map(\.key) == ["1", "2"])
            #expect(q3[0].figures.points.map(\.count) == [20, 10, 0] && q3[0].figures.points.map(\.share) == [0.667, 0.333, 0])
            #expect(q3[1].figures.points.map(\.count) == [10, 0, 10] && q3[1].figures.points.map(\.share) == [0.5, 0, 0.5])
            // Q1 at B: 3:10, 4:10: mean 3.5, s² = 5/19, SE 0.1147, t(19) 2.093 → [3.26, 3.74].
            let b = try #require(q[2]?.slices?[1].figures)
            #expect(b.answered == 20 && b.mean == 3.5 && b.meanLow == 3.26 && b.meanHigh == 3.74)
            // Q2 at B: 10 × 10 and 10 × 0: mean 5, s² = 500/19, SE 1.1471 → ± 2.4008: [2.60, 7.40].
            // Its NPS cells (10 detractors beside A's 0, whose whole is hidden) go with the complements.
            let b2 = try #require(q[3]?.slices?[1].figures)
            #expect(b2.mean == 5 && b2.meanLow == 2.6 && b2.meanHigh == 7.4)
            // Q4 at B: nobody answered; nothing to hide in a zero.
            #expect(q[5]?.slices?[1].figures.answered == 0)
        }
    }

    /// A4: after inserts, edits and erasures, the rollups give the records' results, whole and by school.
    @Test func rollupsEqualTheRecordsAfterChanges() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            try await build(db, rollUp: true)
            func same(_ step: String) async throws {
                try await Rollups(database: db).refreshPending()
                for query in [
                    ResultsQuery(surveyID: 2), ResultsQuery(surveyID: 2, by: .school), ResultsQuery(surveyID: 2, by: .group),
                    ResultsQuery(surveyID: 2, from: Date(timeIntervalSince1970: 1_788_998_400), to: Date(timeIntervalSince1970: 1_789_084_800)),
                ] {
                    let records = try await results(db, .records, query)
                    let rollups = try await results(db, .rollups, query)
                    #expect(records == rollups, "\(step): \(query.by?.rawValue ?? "whole")")
                }
            }
            try await same("built")
            try await db.withConnection {
                try await $0.executeScript(
                    unsafeSQL: """
                        INSERT INTO responses (survey_id, initiative_id, school_id, stakeholder_group, language, receipt, submitted_at)
                        SELECT 2, 1, 3, 'students', 'en', 'C' || k, '2026-09-12 08:00' FROM generate_series(1, 12) k;
                        INSERT INTO answers (response_id, question_id, number) SELECT id, 2, 1 + id % 5 FROM responses WHERE receipt LIKE 'C%';
                        """
                )
            }
            try await same("inserted")
            try await db.withConnection {
                try await $0.executeScript(
                    unsafeSQL: """
                        UPDATE answers SET number = 5 WHERE question_id = 2 AND number = 1;
                        UPDATE responses SET stakeholder_group = 'teachers_staff' WHERE receipt IN ('A1', 'A2', 'A3');
                        UPDATE answers SET choices = ARRAY['maybe'] WHERE question_id = 4 AND response_id IN (SELECT id FROM responses WHERE receipt = 'B1');
                        """
                )
            }
            try await same("edited")
            try await db.withConnection {
                try await $0.executeScript(
                    unsafeSQL: """
                        DELETE FROM answers WHERE question_id = 5 AND response_id IN (SELECT id FROM responses WHERE receipt LIKE 'A1_');
                        DELETE FROM responses WHERE receipt LIKE 'C1_';
                        UPDATE text_scores SET compound = -0.9 WHERE source_id IN (SELECT id FROM answers WHERE question_id = 6 LIMIT 3);
                        UPDATE text_scores SET themes = themes || '[{"theme": "Food"}]'
                        WHERE source = 'answer' AND source_id IN (SELECT id FROM answers WHERE question_id = 6);
                        """
                )
            }
            try await same("erased and rescored")
            // The topics moved with the rescoring, in both (a theme named in any case counts once).
            let themes = try await results(db, .rollups, ResultsQuery(surveyID: 2)).questions.first { $0.id == 6 }?.themes
            #expect(themes?.map(\.name) == ["food", "technology"], "\(String(describing: themes))")
        }
    }

    @Test func aQueryNamesTheFieldItGetsWrong() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            try await build(db, rollUp: false)
            await #expect(throws: EngagementError.self) { try await results(db, .records, ResultsQuery(surveyID: 99)) }
            await #expect(throws: EngagementError.self) { try await results(db, .records, ResultsQuery(surveyID: 2, schoolID: 99)) }
            await #expect(throws: EngagementError.self) {
                try await results(db, .records, ResultsQuery(surveyID: 2, from: Date(), to: Date().addingTimeInterval(-1)))
            }
        }
    }
}
