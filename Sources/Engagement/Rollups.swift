import Foundation
import Jobs
import Postgres
import Scoring

/// Scorecard rollups (Schema/0005_rollups.sql): per initiative (0 = district), the district's local day and school
/// (0 = none). Triggers on every source table mark the days a statement changed in
/// `rollup_dirty_days` (Schema/0008_rollup_queue.sql); `drain` recomputes those days from the
/// records, so inserts, updates, cancellations, erasures and rescoring all land the same way and a
/// rollup never drifts from its records. `RollupService` drains in every worker process.
public struct Rollups: Sendable {
    let database: PostgresClient

    public init(database: PostgresClient) {
        self.database = database
    }

    /// Recomputes one day (`YYYY-MM-DD`, the district's) now, whether or not it is marked.
    public func refresh(day: String) async throws {
        guard let next = Self.day(after: day) else { throw EngagementError.invalid("day", "not a date: \(day)") }
        try await database.withTransaction { db in
            try await Self.lock(db)
            try await Self.planForSlices(db)
            try await Self.recompute(days: day, next, on: db)
        }
    }

    /// Recomputes up to `limit` marked days, oldest mark first, and returns them. The marks are
    /// deleted under the rollup lock in the transaction that recomputes their days: a failure
    /// leaves them for the next drain, and a mark committed after the delete stays for the next
    /// one too. Every mark of a day committed before the delete is served by this recomputation,
    /// whose later statements (READ COMMITTED) see what those transactions wrote.
    @discardableResult
    public func drain(limit: Int = 31) async throws -> [String] {
        guard try await database.query("SELECT EXISTS (SELECT 1 FROM rollup_dirty_days)").one().decode(Bool.self, at: 0) else { return [] }
        return try await database.withTransaction { db in
            try await Self.lock(db)
            let days = try await db.query(
                """
                WITH days AS (SELECT day FROM rollup_dirty_days GROUP BY day ORDER BY min(id) LIMIT \(limit))
                DELETE FROM rollup_dirty_days d USING days WHERE d.day = days.day RETURNING d.day::text
                """
            ).map { try $0.decode(String.self, at: 0) }
            let distinct = Set(days).sorted()
            try await Self.planForSlices(db)
            for day in distinct {
                guard let next = Self.day(after: day) else { continue }
                try await Self.recompute(days: day, next, on: db)
            }
            return distinct
        }
    }

    /// Drains until no day is marked (`chorus rollups refresh`, and tests that read a scorecard
    /// right after writing); returns the number of days recomputed.
    @discardableResult
    public func refreshPending() async throws -> Int {
        var total = 0
        while true {
            let days = try await drain()
            if days.isEmpty { return total }
            total += days.count
        }
    }

    /// Distinct days marked and not yet recomputed (`/metrics`).
    public func pendingDays() async throws -> Int {
        try await database.query("SELECT count(DISTINCT day) FROM rollup_dirty_days").one().decode(Int.self, at: 0)
    }

    /// Rebuilds every rollup from the records (after a bulk load or a scorer version change).
    public static func rebuild(on db: PostgresConnection) async throws {
        // Every mark is served by the rebuild: the lock first, so no drain runs meanwhile.
        try await lock(db)
        try await db.query("DELETE FROM rollup_dirty_days")
        let bounds = try await db.query(
            """
            SELECT district_day(min(d))::text, (district_day(max(d)) + 1)::text FROM (
                SELECT min(submitted_at) d FROM responses UNION ALL SELECT max(submitted_at) FROM responses
                UNION ALL SELECT min(created_at) FROM feedback UNION ALL SELECT max(created_at) FROM feedback
                UNION ALL SELECT min(starts_at) FROM events UNION ALL SELECT max(starts_at) FROM events
                UNION ALL SELECT min(starts_at) FROM volunteer_shifts UNION ALL SELECT max(starts_at) FROM volunteer_shifts) x
            """
        ).one()
        try await db.query(
            """
            TRUNCATE rollup_activity, rollup_daily, rollup_people, rollup_year_people, rollup_year_reach, rollup_sentiment, rollup_topics,
                rollup_answers, rollup_answer_totals, rollup_answer_topics, rollup_answer_topic_totals
            """
        )
        guard let first = try bounds.decode(String?.self, at: 0), let end = try bounds.decode(String?.self, at: 1) else { return }
        try await recompute(days: first, end, on: db)
    }

    /// One recomputation at a time: the others wait and then see its result, and the shared
    /// per-year counters are never updated in two orders at once.
    static let lockSpace = 0x524F_4C4C  // "ROLL"

    static func lock(_ db: PostgresConnection) async throws {
        try await db.query("SELECT pg_advisory_xact_lock(\(lockSpace)::int, 0)")
    }

    /// A day is a thin slice of big tables: plan it through the indexes even where the server
    /// keeps the spinning-disk cost defaults (which scan whole tables instead, 4× slower at
    /// district scale), and without JIT compilation, which costs more than it saves here.
    static func planForSlices(_ db: PostgresConnection) async throws {
        try await db.query("SET LOCAL random_page_cost = 1.1")
        try await db.query("SET LOCAL jit = off")
    }

    /// The calendar day after `day` (both `YYYY-MM-DD`), nil when `day` is not a date.
    static func day(after day: String) -> String? {
        guard day.utf8.count == 10, let date = try? Date(day + "T12:00:00Z", strategy: .iso8601) else { return nil }
        return date.addingTimeInterval(86_400).formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day())
    }

    /// Recomputes the rollups of the district's local days in [lo, hi) (`YYYY-MM-DD`) from the records.
    static func recompute(days lo: String, _ hi: String, on db: PostgresConnection) async throws {
        // The instants the days start and end on the district's clock, as values rather than a
        // CTE: the planner then sees how thin the slice is.
        let bounds = try await db.query(
            """
            SELECT \(lo)::date::timestamp AT TIME ZONE s.time_zone, \(hi)::date::timestamp AT TIME ZONE s.time_zone
            FROM district_settings s
            """
        ).one()
        let (start, end) = try bounds.decode((Date, Date).self)
        for table in ["rollup_activity", "rollup_daily", "rollup_sentiment", "rollup_topics"] {
            try await db.query("DELETE FROM \(unsafeSQL: table) WHERE day >= \(lo)::date AND day < \(hi)::date")
        }
        // Each record once for the district (0) and once for its initiative(s).
        let records: PostgresQuery = """
            records AS (
                SELECT i.id AS initiative_id, district_day(r.submitted_at) AS day, coalesce(r.school_id, 0) AS school_id, r.participant_id,
                       1 AS responses, 0 AS feedback, 0 AS events, 0 AS capacity, 0 AS attendance, 0 AS signups, 0 AS waitlisted,
                       0 AS attended, 0::numeric AS hours, CASE WHEN r.participant_id IS NULL THEN 1 ELSE 0 END AS anonymous, 1 AS engagements
                FROM responses r, LATERAL (VALUES (0::bigint), (r.initiative_id)) i(id)
                WHERE r.submitted_at >= \(start) AND r.submitted_at < \(end)
                UNION ALL
                SELECT i.id, district_day(f.created_at), coalesce(f.school_id, 0), f.participant_id, 0, 1, 0, 0, 0, 0, 0, 0, 0,
                       CASE WHEN f.participant_id IS NULL THEN 1 ELSE 0 END, 1
                FROM feedback f, LATERAL (VALUES (0::bigint), (f.initiative_id)) i(id)
                WHERE f.created_at >= \(start) AND f.created_at < \(end)
                UNION ALL
                SELECT i.id, district_day(e.starts_at), coalesce(e.school_id, 0), NULL, 0, 0, 1, coalesce(e.capacity, 0), 0, 0, 0, 0, 0, 0, 0
                FROM events e,
                     LATERAL (SELECT 0::bigint UNION ALL SELECT ei.initiative_id FROM event_initiatives ei WHERE ei.event_id = e.id) i(id)
                WHERE e.starts_at >= \(start) AND e.starts_at < \(end)
                UNION ALL
                SELECT i.id, district_day(e.starts_at), coalesce(e.school_id, 0), a.participant_id, 0, 0, 0, 0, a.count, 0, 0, 0, 0,
                       CASE WHEN a.participant_id IS NULL THEN a.count ELSE 0 END, 1
                FROM attendance a JOIN events e ON e.id = a.event_id,
                     LATERAL (SELECT 0::bigint UNION ALL SELECT ei.initiative_id FROM event_initiatives ei WHERE ei.event_id = e.id) i(id)
                WHERE e.starts_at >= \(start) AND e.starts_at < \(end)
                UNION ALL
                SELECT i.id, district_day(sh.starts_at), coalesce(o.school_id, 0), s.participant_id, 0, 0, 0, 0, 0, 1,
                       (s.status = 'waitlisted')::int, (s.status = 'attended')::int, coalesce(s.hours_approved, 0),
                       CASE WHEN s.participant_id IS NULL THEN 1 ELSE 0 END, 1
                FROM signups s JOIN volunteer_shifts sh ON sh.id = s.shift_id JOIN volunteer_opportunities o ON o.id = sh.opportunity_id,
                     LATERAL (VALUES (0::bigint), (o.initiative_id)) i(id)
                WHERE sh.starts_at >= \(start) AND sh.starts_at < \(end) AND s.status <> 'cancelled'
            )
            """
        try await db.query(
            """
            WITH \(records)
            INSERT INTO rollup_activity (initiative_id, day, school_id, responses, feedback, events, capacity, attendance, signups,
                                         waitlisted, attended, hours, anonymous_people, engagements)
            SELECT initiative_id, day, school_id, sum(responses), sum(feedback), sum(events), sum(capacity), sum(attendance), sum(signups),
                   sum(waitlisted), sum(attended), sum(hours), sum(anonymous), sum(engagements)
            FROM records GROUP BY initiative_id, day, school_id
            """
        )
        // Known people: only the rows that changed are written, and each changes its person's
        // reference count for the school year; a person new to the year counts once more...
        let unreferenced = try await db.query(
            """
            WITH \(records),
            fresh AS (SELECT DISTINCT initiative_id, day, school_id, participant_id FROM records WHERE participant_id IS NOT NULL),
            old AS (SELECT initiative_id, day, school_id, participant_id FROM rollup_people WHERE day >= \(lo)::date AND day < \(hi)::date),
            removed AS (
                DELETE FROM rollup_people p USING (SELECT * FROM old EXCEPT SELECT * FROM fresh) x
                WHERE p.initiative_id = x.initiative_id AND p.day = x.day AND p.school_id = x.school_id AND p.participant_id = x.participant_id
                RETURNING p.initiative_id, p.day, p.participant_id),
            added AS (
                INSERT INTO rollup_people (initiative_id, day, school_id, participant_id) SELECT * FROM fresh EXCEPT SELECT * FROM old
                RETURNING initiative_id, day, participant_id),
            delta AS (
                SELECT initiative_id, school_year(day) AS school_year, participant_id, sum(d)::int AS d
                FROM (SELECT initiative_id, day, participant_id, 1 AS d FROM added
                      UNION ALL SELECT initiative_id, day, participant_id, -1 FROM removed) x
                GROUP BY 1, 2, 3 HAVING sum(d) <> 0),
            counted AS (
                INSERT INTO rollup_year_people (initiative_id, school_year, participant_id, refs)
                SELECT initiative_id, school_year, participant_id, d FROM delta
                ON CONFLICT (initiative_id, school_year, participant_id) DO UPDATE SET refs = rollup_year_people.refs + excluded.refs
                RETURNING initiative_id, school_year, participant_id, refs, (xmax = 0) AS created),
            reach AS (
                INSERT INTO rollup_year_reach (initiative_id, school_year, participants)
                SELECT initiative_id, school_year, count(*) FROM counted WHERE created GROUP BY 1, 2
                ON CONFLICT (initiative_id, school_year) DO UPDATE SET participants = rollup_year_reach.participants + excluded.participants)
            SELECT initiative_id::text, school_year::text, participant_id::text FROM counted WHERE refs = 0
            """
        ).map { try $0.decode((String, String, String).self) }
        // ...and one no longer referenced, once less.
        if !unreferenced.isEmpty {
            try await db.query(
                """
                WITH gone AS (
                    DELETE FROM rollup_year_people WHERE refs = 0 AND (initiative_id, school_year, participant_id) IN (
                        SELECT * FROM unnest(\(unreferenced.map(\.0))::text[]::bigint[], \(unreferenced.map(\.1))::text[]::date[],
                                             \(unreferenced.map(\.2))::text[]::bigint[]))
                    RETURNING initiative_id, school_year)
                UPDATE rollup_year_reach r SET participants = r.participants - g.n
                FROM (SELECT initiative_id, school_year, count(*) AS n FROM gone GROUP BY 1, 2) g
                WHERE r.initiative_id = g.initiative_id AND r.school_year = g.school_year
                """
            )
        }
        let scored: PostgresQuery = """
            scored AS (
                SELECT i.id AS initiative_id, district_day(f.created_at) AS day, coalesce(f.school_id, 0) AS school_id, 'feedback' AS source,
                       f.id, t.language, t.compound, t.themes, t.keyphrases
                FROM feedback f JOIN text_scores t ON t.source = 'feedback' AND t.source_id = f.id AND t.scorer_version = \(TextScorer.version),
                     LATERAL (VALUES (0::bigint), (f.initiative_id)) i(id)
                WHERE f.created_at >= \(start) AND f.created_at < \(end)
                UNION ALL
                SELECT i.id, district_day(r.submitted_at), coalesce(r.school_id, 0), 'answer', a.id, t.language, t.compound, t.themes, t.keyphrases
                FROM responses r JOIN answers a ON a.response_id = r.id
                     JOIN text_scores t ON t.source = 'answer' AND t.source_id = a.id AND t.scorer_version = \(TextScorer.version),
                     LATERAL (VALUES (0::bigint), (r.initiative_id)) i(id)
                WHERE r.submitted_at >= \(start) AND r.submitted_at < \(end)
            )
            """
        try await db.query(
            """
            WITH \(scored)
            INSERT INTO rollup_sentiment (initiative_id, day, school_id, language, scored, compound_sum, positive, neutral, negative, not_scored)
            SELECT initiative_id, day, school_id, language, count(compound), coalesce(sum(compound::numeric), 0),
                   count(*) FILTER (WHERE compound >= 0.05), count(*) FILTER (WHERE compound > -0.05 AND compound < 0.05),
                   count(*) FILTER (WHERE compound <= -0.05), count(*) - count(compound)
            FROM scored GROUP BY initiative_id, day, school_id, language
            """
        )
        try await db.query(
            """
            INSERT INTO rollup_daily (initiative_id, day, responses, feedback, events, capacity, attendance, signups, waitlisted, attended, hours,
                                      anonymous_people, engagements, scored, compound_sum, positive, neutral, negative)
            SELECT a.initiative_id, a.day, a.responses, a.feedback, a.events, a.capacity, a.attendance, a.signups, a.waitlisted, a.attended,
                   a.hours, a.anonymous_people, a.engagements, coalesce(s.scored, 0), coalesce(s.compound_sum, 0), coalesce(s.positive, 0),
                   coalesce(s.neutral, 0), coalesce(s.negative, 0)
            FROM (SELECT initiative_id, day, sum(responses) AS responses, sum(feedback) AS feedback, sum(events) AS events,
                         sum(capacity) AS capacity, sum(attendance) AS attendance, sum(signups) AS signups, sum(waitlisted) AS waitlisted,
                         sum(attended) AS attended, sum(hours) AS hours, sum(anonymous_people) AS anonymous_people,
                         sum(engagements) AS engagements
                  FROM rollup_activity WHERE day >= \(lo)::date AND day < \(hi)::date GROUP BY 1, 2) a
            LEFT JOIN (SELECT initiative_id, day, sum(scored) AS scored, sum(compound_sum) AS compound_sum, sum(positive) AS positive,
                              sum(neutral) AS neutral, sum(negative) AS negative
                       FROM rollup_sentiment WHERE day >= \(lo)::date AND day < \(hi)::date GROUP BY 1, 2) s
                ON s.initiative_id = a.initiative_id AND s.day = a.day
            """
        )
        try await db.query(
            """
            WITH \(scored),
            items AS (
                SELECT initiative_id, day, 'themes' AS kind, lower(e ->> 'theme') AS name, id, source
                FROM scored, jsonb_array_elements(themes) e
                UNION ALL
                SELECT initiative_id, day, 'keyphrases', lower(e ->> 'phrase'), id, source
                FROM scored, jsonb_array_elements(keyphrases) e
            )
            INSERT INTO rollup_topics (initiative_id, day, kind, name, mentions, examples)
            SELECT initiative_id, day, kind, name, count(*),
                   coalesce((array_agg(id ORDER BY id DESC) FILTER (WHERE source = 'feedback'))[1:3], '{}')
            FROM items WHERE name IS NOT NULL GROUP BY initiative_id, day, kind, name
            """
        )
        try await recomputeAnswers(lo, hi, start, end, on: db)
    }

    /// Survey results' rollups (Schema/0016_survey_results.sql) of the days in [lo, hi): the
    /// day rows from the records, and the all-days totals moved by the difference.
    static func recomputeAnswers(_ lo: String, _ hi: String, _ start: Date, _ end: Date, on db: PostgresConnection) async throws {
        let keys = "survey_id, question_id, question_version, school_id, stakeholder_group, value"
        func moveTotals(sign: Int) -> PostgresQuery {
            """
            INSERT INTO rollup_answer_totals (\(unsafeSQL: keys), respondents, compound_sum)
            SELECT \(unsafeSQL: keys), \(sign) * sum(respondents), \(sign) * sum(compound_sum)
            FROM rollup_answers WHERE day >= \(lo)::date AND day < \(hi)::date GROUP BY \(unsafeSQL: keys)
            ON CONFLICT (\(unsafeSQL: keys)) DO UPDATE
            SET respondents = rollup_answer_totals.respondents + excluded.respondents,
                compound_sum = rollup_answer_totals.compound_sum + excluded.compound_sum
            """
        }
        try await db.query(moveTotals(sign: -1))
        try await db.query("DELETE FROM rollup_answers WHERE day >= \(lo)::date AND day < \(hi)::date")
        try await db.query(
            """
            WITH responded AS (
                SELECT r.id, r.survey_id, district_day(r.submitted_at) AS day, coalesce(r.school_id, 0) AS school_id, r.stakeholder_group
                FROM responses r WHERE r.submitted_at >= \(start) AND r.submitted_at < \(end)
            ),
            cells AS (
                SELECT survey_id, 0::bigint AS question_id, 0 AS question_version, day, school_id, stakeholder_group, '' AS value,
                       0::numeric AS compound
                FROM responded
                UNION ALL
                SELECT x.survey_id, a.question_id, a.question_version, x.day, x.school_id, x.stakeholder_group, v.value, v.compound
                FROM responded x JOIN answers a ON a.response_id = x.id
                     LEFT JOIN text_scores t ON a.text IS NOT NULL AND t.source = 'answer' AND t.source_id = a.id
                                             AND t.scorer_version = \(TextScorer.version),
                     LATERAL (\(unsafeSQL: answerValues)) v(value, compound)
            )
            INSERT INTO rollup_answers (survey_id, question_id, question_version, day, school_id, stakeholder_group, value, respondents, compound_sum)
            SELECT survey_id, question_id, question_version, day, school_id, stakeholder_group, value, count(*), sum(compound)
            FROM cells GROUP BY 1, 2, 3, 4, 5, 6, 7
            """
        )
        try await db.query(moveTotals(sign: 1))
        try await db.query("DELETE FROM rollup_answer_totals WHERE respondents = 0")
        try await recomputeAnswerTopics(lo, hi, start, end, on: db)
    }

    /// The themes and keyphrases of text answers (Schema/0019) of the days in [lo, hi), as
    /// `recomputeAnswers` does for the answers.
    static func recomputeAnswerTopics(_ lo: String, _ hi: String, _ start: Date, _ end: Date, on db: PostgresConnection) async throws {
        let keys = "survey_id, question_id, school_id, stakeholder_group, kind, name"
        func moveTotals(sign: Int) -> PostgresQuery {
            """
            INSERT INTO rollup_answer_topic_totals (\(unsafeSQL: keys), mentions)
            SELECT \(unsafeSQL: keys), \(sign) * sum(mentions)
            FROM rollup_answer_topics WHERE day >= \(lo)::date AND day < \(hi)::date GROUP BY \(unsafeSQL: keys)
            ON CONFLICT (\(unsafeSQL: keys)) DO UPDATE SET mentions = rollup_answer_topic_totals.mentions + excluded.mentions
            """
        }
        try await db.query(moveTotals(sign: -1))
        try await db.query("DELETE FROM rollup_answer_topics WHERE day >= \(lo)::date AND day < \(hi)::date")
        try await db.query(
            """
            WITH scored AS (
                SELECT r.survey_id, a.question_id, district_day(r.submitted_at) AS day, coalesce(r.school_id, 0) AS school_id,
                       r.stakeholder_group, a.id, t.themes, t.keyphrases
                FROM responses r JOIN answers a ON a.response_id = r.id AND a.text IS NOT NULL
                     JOIN text_scores t ON t.source = 'answer' AND t.source_id = a.id AND t.scorer_version = \(TextScorer.version)
                WHERE r.submitted_at >= \(start) AND r.submitted_at < \(end)
            ),
            items AS (
                SELECT survey_id, question_id, day, school_id, stakeholder_group, 'themes' AS kind, lower(e ->> 'theme') AS name, id
                FROM scored, jsonb_array_elements(themes) e
                UNION
                SELECT survey_id, question_id, day, school_id, stakeholder_group, 'keyphrases', lower(e ->> 'phrase'), id
                FROM scored, jsonb_array_elements(keyphrases) e
            )
            INSERT INTO rollup_answer_topics (survey_id, question_id, day, school_id, stakeholder_group, kind, name, mentions, examples)
            SELECT survey_id, question_id, day, school_id, stakeholder_group, kind, name, count(*), (array_agg(id ORDER BY id DESC))[1:3]
            FROM items WHERE name IS NOT NULL GROUP BY 1, 2, 3, 4, 5, 6, 7
            """
        )
        try await db.query(moveTotals(sign: 1))
        try await db.query("DELETE FROM rollup_answer_topic_totals WHERE mentions = 0")
    }

    /// The values one answer `a` (with its text score `t`, if any) counts under: '' (answered),
    /// its number, each choice, or its text's sentiment with the compound. The records path of
    /// `SurveyResults` counts the same way.
    static let answerValues = """
        SELECT '', 0::numeric
        UNION ALL SELECT a.number::text, 0 WHERE a.number IS NOT NULL
        UNION ALL SELECT c, 0 FROM unnest(a.choices) c
        UNION ALL SELECT CASE WHEN t.compound IS NULL THEN 'unscored' WHEN t.compound >= 0.05 THEN 'positive'
                              WHEN t.compound <= -0.05 THEN 'negative' ELSE 'neutral' END,
                         coalesce(t.compound::numeric, 0)
                  WHERE a.text IS NOT NULL
        """
}
