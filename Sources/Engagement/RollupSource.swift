import Foundation
import Postgres

/// The scorecard's numbers read from the rollups: the same definitions as `RecordSource` (a test
/// holds them equal), over a few thousand rollup rows instead of every record. Rollups are per
/// local day and school, so they answer whole-day periods without a stakeholder group filter
/// (`Scorecards.usesRollups`); topics are rolled up per initiative and day only, so one school's
/// or cluster's come from the records.
struct RollupSource: ScorecardSource {
    let db: PostgresConnection

    /// Whether the query narrows to a school or a cluster (then the per-school rollups are read).
    static func bySchool(_ q: ScorecardQuery) -> Bool { q.schoolID != nil || q.cluster != nil }

    /// A whole school year without school filters: reach comes from the per-year counters.
    static func isWholeSchoolYear(_ q: ScorecardQuery) -> Bool {
        !bySchool(q) && q.clock.schoolYear(containing: q.from) == (q.from, q.to)
    }

    /// The rollup rows of the period (and school filters, if any) for the given initiatives.
    static func scope(_ q: ScorecardQuery, _ initiatives: [Int64]) -> PostgresQuery {
        let period: PostgresQuery = """
            initiative_id = ANY(\(initiatives.map { String($0) })::text[]::bigint[])
            AND day >= \(q.clock.day(of: q.from))::date AND day < \(q.clock.day(of: q.to))::date
            """
        guard Self.bySchool(q) else { return period }
        return """
            \(period) AND (\(q.schoolID)::bigint IS NULL OR school_id = \(q.schoolID))
            AND (\(q.cluster)::text IS NULL OR school_id IN (SELECT id FROM schools WHERE cluster = \(q.cluster)))
            """
    }

    /// Activity per day and school when filtering by school, else per day (fewer rows, and the
    /// day's sentiment sums alongside).
    static func activityTable(_ q: ScorecardQuery) -> PostgresQuery {
        bySchool(q) ? PostgresQuery(unsafeSQL: "rollup_activity") : PostgresQuery(unsafeSQL: "rollup_daily")
    }

    static func sentimentTable(_ q: ScorecardQuery) -> PostgresQuery {
        bySchool(q) ? PostgresQuery(unsafeSQL: "rollup_sentiment") : PostgresQuery(unsafeSQL: "rollup_daily")
    }

    func totals(_ q: ScorecardQuery, initiatives: [Int64]) async throws -> [Int64: Scorecards.Totals] {
        let known: PostgresQuery =
            Self.isWholeSchoolYear(q)
            ? """
            SELECT initiative_id, participants AS known FROM rollup_year_reach
            WHERE initiative_id = ANY(\(initiatives.map { String($0) })::text[]::bigint[]) AND school_year = \(q.clock.day(of: q.from))::date
            """
            : "SELECT initiative_id, count(DISTINCT participant_id) AS known FROM rollup_people WHERE \(Self.scope(q, initiatives)) GROUP BY initiative_id"
        let rows = try await db.query(
            """
            WITH a AS (
                SELECT initiative_id, sum(responses) AS responses, sum(feedback) AS feedback, sum(events) AS events,
                       sum(attendance) AS attendance, sum(capacity) AS capacity, sum(signups) AS signups, sum(waitlisted) AS waitlisted,
                       sum(attended) AS attended, sum(hours) AS hours, sum(anonymous_people) AS anonymous
                FROM \(Self.activityTable(q)) WHERE \(Self.scope(q, initiatives)) GROUP BY initiative_id),
            p AS (\(known)),
            s AS (SELECT initiative_id, sum(compound_sum) / nullif(sum(scored), 0) AS mean FROM \(Self.sentimentTable(q))
                  WHERE \(Self.scope(q, initiatives)) GROUP BY initiative_id)
            SELECT a.initiative_id, (coalesce(p.known, 0) + a.anonymous)::bigint, a.responses::bigint, a.feedback::bigint, a.events::bigint,
                   a.attendance::bigint, a.capacity::bigint, a.signups::bigint, a.waitlisted::bigint, a.attended::bigint, a.hours::float8, s.mean::float8
            FROM a LEFT JOIN p ON p.initiative_id = a.initiative_id LEFT JOIN s ON s.initiative_id = a.initiative_id
            """
        )
        var result: [Int64: Scorecards.Totals] = [:]
        for row in rows { result[try row.decode(Int64.self, at: 0)] = try Scorecards.Totals(row, from: 1) }
        return result
    }

    func enrollment(_ q: ScorecardQuery, initiatives: [Int64]) async throws -> [Int64: Int] {
        let rows = try await db.query(
            """
            WITH touched AS (
                SELECT DISTINCT initiative_id, school_id FROM rollup_activity WHERE \(Self.scope(q, initiatives)) AND engagements > 0 AND school_id <> 0)
            SELECT i.id, (SELECT coalesce(sum(enrollment), 0) FROM schools s WHERE CASE
                WHEN \(q.schoolID)::bigint IS NOT NULL THEN s.id = \(q.schoolID)
                WHEN \(q.cluster)::text IS NOT NULL THEN s.cluster = \(q.cluster)
                WHEN i.id = 0 THEN true
                ELSE s.id IN (SELECT school_id FROM touched t WHERE t.initiative_id = i.id)
            END)::bigint
            FROM unnest(\(initiatives.map { String($0) })::text[]::bigint[]) AS i(id)
            """
        )
        var result: [Int64: Int] = [:]
        for row in rows { result[try row.decode(Int64.self, at: 0)] = try row.decode(Int.self, at: 1) }
        return result
    }

    /// Overall sentiment per initiative (the list's sentiment cell).
    func overallSentiment(_ q: ScorecardQuery, initiatives: [Int64]) async throws -> [Int64: Scorecards.SentimentCounts] {
        let rows = try await db.query(
            """
            SELECT initiative_id, 'all', sum(scored)::bigint, (sum(compound_sum) / nullif(sum(scored), 0))::float8,
                   (sum(positive)::numeric / nullif(sum(scored), 0))::float8, (sum(neutral)::numeric / nullif(sum(scored), 0))::float8,
                   (sum(negative)::numeric / nullif(sum(scored), 0))::float8, 0::bigint
            FROM \(Self.sentimentTable(q)) WHERE \(Self.scope(q, initiatives)) GROUP BY initiative_id
            """
        )
        var result: [Int64: Scorecards.SentimentCounts] = [:]
        for row in rows { result[try row.decode(Int64.self, at: 0)] = try Scorecards.SentimentCounts(row, from: 1) }
        return result
    }

    func sentiment(_ q: ScorecardQuery) async throws -> [Scorecards.SentimentCounts] {
        try await db.query(
            """
            SELECT coalesce(language, 'all'), coalesce(sum(scored), 0)::bigint, (sum(compound_sum) / nullif(sum(scored), 0))::float8,
                   (sum(positive)::numeric / nullif(sum(scored), 0))::float8, (sum(neutral)::numeric / nullif(sum(scored), 0))::float8,
                   (sum(negative)::numeric / nullif(sum(scored), 0))::float8, coalesce(sum(not_scored), 0)::bigint
            FROM rollup_sentiment WHERE \(Self.scope(q, [q.initiativeID ?? 0])) GROUP BY ROLLUP (language) ORDER BY language NULLS FIRST
            """
        ).map(Scorecards.SentimentCounts.init)
    }

    func topics(_ q: ScorecardQuery, _ kind: Scorecards.TopicKind) async throws -> [Scorecard.Topic] {
        if Self.bySchool(q) { return try await RecordSource(db: db).topics(q, kind) }
        let initiative = q.initiativeID ?? 0
        let kind = kind.rawValue
        let top = try await db.query(
            """
            WITH t AS (SELECT name, mentions, examples FROM rollup_topics WHERE kind = \(kind) AND \(Self.scope(q, [initiative]))),
            top AS (SELECT name, sum(mentions)::bigint AS n FROM t GROUP BY name ORDER BY sum(mentions) DESC, name LIMIT 10)
            SELECT top.name, top.n,
                   coalesce((SELECT (array_agg(x ORDER BY x DESC))[1:3] FROM t, unnest(t.examples) x WHERE t.name = top.name), '{}')::text[]
            FROM top ORDER BY n DESC, name
            """
        )
        let previous = try await db.query(
            """
            SELECT name, sum(mentions)::bigint FROM rollup_topics WHERE kind = \(kind) AND \(Self.scope(q.previous, [initiative])) GROUP BY name
            """
        )
        return try RecordSource.topics(top, previous: previous)
    }

    func weekly(_ q: ScorecardQuery) async throws -> [Scorecard.Week] {
        try await db.query(
            """
            SELECT to_char(date_trunc('week', day::timestamp), 'YYYY-MM-DD'), sum(responses)::bigint, sum(feedback)::bigint,
                   sum(attendance)::bigint, sum(hours)::float8
            FROM \(Self.activityTable(q)) WHERE \(Self.scope(q, [q.initiativeID ?? 0]))
            GROUP BY 1 HAVING sum(engagements) > 0 ORDER BY 1
            """
        ).map(Scorecard.Week.init)
    }

    /// People per school: known people distinct plus the anonymous.
    func peoplePerSchool(_ q: ScorecardQuery) async throws -> [Scorecards.SchoolPeople] {
        let initiative = q.initiativeID ?? 0
        let perSchool: PostgresQuery = """
            per_school AS (
                SELECT school_id, sum(n)::bigint AS people FROM (
                    SELECT school_id, count(DISTINCT participant_id) AS n FROM rollup_people
                    WHERE \(Self.scope(q, [initiative])) AND school_id <> 0 GROUP BY school_id
                    UNION ALL
                    SELECT school_id, sum(anonymous_people) FROM rollup_activity WHERE \(Self.scope(q, [initiative])) AND school_id <> 0
                    GROUP BY school_id
                ) x GROUP BY school_id)
            """
        return try await RecordSource.schoolsInScope(q, perSchool: perSchool, on: db)
    }
}
