import Foundation
import Postgres
import Scoring

/// The scorecard's numbers computed from the records, every definition of `docs/scorecard.md`
/// as SQL: the reference the rollups are tested against, and the answer for periods off day
/// boundaries or with a stakeholder group filter.
struct RecordSource: ScorecardSource {
    let db: PostgresConnection

    // MARK: Scope: the same filters for every measure

    static func schoolFilter(_ column: String, _ q: ScorecardQuery) -> PostgresQuery {
        """
        (\(q.schoolID)::bigint IS NULL OR \(unsafeSQL: column) = \(q.schoolID))
        AND (\(q.cluster)::text IS NULL OR \(unsafeSQL: column) IN (SELECT id FROM schools WHERE cluster = \(q.cluster)))
        """
    }

    static func groupFilter(_ column: String, _ q: ScorecardQuery) -> PostgresQuery {
        "(\(q.group?.rawValue)::stakeholder_group IS NULL OR \(unsafeSQL: column) = \(q.group?.rawValue)::stakeholder_group)"
    }

    static func responses(_ q: ScorecardQuery) -> PostgresQuery {
        """
        FROM responses r WHERE r.submitted_at >= \(q.from) AND r.submitted_at < \(q.to)
          AND (\(q.initiativeID)::bigint IS NULL OR r.initiative_id = \(q.initiativeID))
          AND \(schoolFilter("r.school_id", q)) AND \(groupFilter("r.stakeholder_group", q))
        """
    }

    static func feedback(_ q: ScorecardQuery) -> PostgresQuery {
        """
        FROM feedback f WHERE f.created_at >= \(q.from) AND f.created_at < \(q.to)
          AND (\(q.initiativeID)::bigint IS NULL OR f.initiative_id = \(q.initiativeID))
          AND \(schoolFilter("f.school_id", q)) AND \(groupFilter("f.stakeholder_group", q))
        """
    }

    static func events(_ q: ScorecardQuery) -> PostgresQuery {
        """
        FROM events e WHERE e.starts_at >= \(q.from) AND e.starts_at < \(q.to)
          AND (\(q.initiativeID)::bigint IS NULL
               OR EXISTS (SELECT 1 FROM event_initiatives ei WHERE ei.event_id = e.id AND ei.initiative_id = \(q.initiativeID)))
          AND \(schoolFilter("e.school_id", q))
        """
    }

    static func attendance(_ q: ScorecardQuery) -> PostgresQuery {
        """
        FROM attendance a JOIN events e ON e.id = a.event_id
        WHERE e.starts_at >= \(q.from) AND e.starts_at < \(q.to)
          AND (\(q.initiativeID)::bigint IS NULL
               OR EXISTS (SELECT 1 FROM event_initiatives ei WHERE ei.event_id = e.id AND ei.initiative_id = \(q.initiativeID)))
          AND \(schoolFilter("e.school_id", q)) AND \(groupFilter("a.stakeholder_group", q))
        """
    }

    static func signups(_ q: ScorecardQuery) -> PostgresQuery {
        """
        FROM signups s JOIN volunteer_shifts sh ON sh.id = s.shift_id JOIN volunteer_opportunities o ON o.id = sh.opportunity_id
        WHERE sh.starts_at >= \(q.from) AND sh.starts_at < \(q.to) AND s.status <> 'cancelled'
          AND (\(q.initiativeID)::bigint IS NULL OR o.initiative_id = \(q.initiativeID))
          AND \(schoolFilter("o.school_id", q)) AND \(groupFilter("s.stakeholder_group", q))
        """
    }

    /// Every engagement as (school, participant or NULL, people): known people once each,
    /// anonymous responses and comments one each, headcounts by their count.
    static func people(_ q: ScorecardQuery) -> PostgresQuery {
        """
        people AS (
            SELECT r.school_id, r.participant_id, 1 AS n \(responses(q))
            UNION ALL SELECT f.school_id, f.participant_id, 1 \(feedback(q))
            UNION ALL SELECT e.school_id, a.participant_id, a.count \(attendance(q))
            UNION ALL SELECT o.school_id, s.participant_id, 1 \(signups(q))
        )
        """
    }

    /// Scored comments and text answers of the scope, with the current scorer version.
    static func scored(_ q: ScorecardQuery) -> PostgresQuery {
        """
        scored AS (
            SELECT 'feedback' AS source, t.source_id AS id, t.language, t.compound, t.themes, t.keyphrases FROM text_scores t
            WHERE t.source = 'feedback' AND t.scorer_version = \(TextScorer.version) AND t.source_id IN (SELECT f.id \(feedback(q)))
            UNION ALL
            SELECT 'answer', t.source_id, t.language, t.compound, t.themes, t.keyphrases FROM text_scores t
            WHERE t.source = 'answer' AND t.scorer_version = \(TextScorer.version)
              AND t.source_id IN (SELECT a.id FROM answers a WHERE a.response_id IN (SELECT r.id \(responses(q))))
        )
        """
    }

    /// The query narrowed to one initiative of a list (0: the district).
    static func narrowed(_ q: ScorecardQuery, to initiative: Int64) -> ScorecardQuery {
        var one = q
        one.initiativeID = initiative == 0 ? nil : initiative
        return one
    }

    // MARK: Measures

    func totals(_ q: ScorecardQuery, initiatives: [Int64]) async throws -> [Int64: Scorecards.Totals] {
        var result: [Int64: Scorecards.Totals] = [:]
        for id in initiatives { result[id] = try await totals(Self.narrowed(q, to: id)) }
        return result
    }

    func totals(_ q: ScorecardQuery) async throws -> Scorecards.Totals {
        let row = try await db.query(
            """
            WITH \(Self.people(q)), \(Self.scored(q))
            SELECT
                (SELECT count(DISTINCT participant_id) + coalesce(sum(n) FILTER (WHERE participant_id IS NULL), 0) FROM people)::bigint,
                (SELECT count(*) \(Self.responses(q)))::bigint,
                (SELECT count(*) \(Self.feedback(q)))::bigint,
                (SELECT count(*) \(Self.events(q)))::bigint,
                (SELECT coalesce(sum(a.count), 0) \(Self.attendance(q)))::bigint,
                (SELECT coalesce(sum(e.capacity), 0) \(Self.events(q)) AND e.capacity IS NOT NULL)::bigint,
                (SELECT count(*) \(Self.signups(q)))::bigint,
                (SELECT count(*) \(Self.signups(q)) AND s.status = 'waitlisted')::bigint,
                (SELECT count(*) \(Self.signups(q)) AND s.status = 'attended')::bigint,
                (SELECT coalesce(sum(s.hours_approved), 0) \(Self.signups(q)))::float8,
                (SELECT avg(compound::numeric) FROM scored)::float8
            """
        ).one()
        return try Scorecards.Totals(row)
    }

    func enrollment(_ q: ScorecardQuery, initiatives: [Int64]) async throws -> [Int64: Int] {
        var result: [Int64: Int] = [:]
        for id in initiatives {
            let one = Self.narrowed(q, to: id)
            result[id] = try await db.query(
                """
                WITH \(Self.people(one))
                SELECT coalesce(sum(enrollment), 0)::bigint FROM schools s
                WHERE CASE
                    WHEN \(one.schoolID)::bigint IS NOT NULL THEN s.id = \(one.schoolID)
                    WHEN \(one.cluster)::text IS NOT NULL THEN s.cluster = \(one.cluster)
                    WHEN \(one.initiativeID)::bigint IS NULL THEN true
                    ELSE s.id IN (SELECT school_id FROM people WHERE school_id IS NOT NULL)
                END
                """
            ).one().decode(Int.self, at: 0)
        }
        return result
    }

    func overallSentiment(_ q: ScorecardQuery, initiatives: [Int64]) async throws -> [Int64: Scorecards.SentimentCounts] {
        var result: [Int64: Scorecards.SentimentCounts] = [:]
        for id in initiatives { result[id] = try await sentiment(Self.narrowed(q, to: id)).first { $0.language == "all" } }
        return result
    }

    func sentiment(_ q: ScorecardQuery) async throws -> [Scorecards.SentimentCounts] {
        try await db.query(
            """
            WITH \(Self.scored(q))
            SELECT coalesce(language, 'all'), count(compound)::bigint, avg(compound::numeric)::float8,
                   avg(CASE WHEN compound >= 0.05 THEN 1 ELSE 0 END) FILTER (WHERE compound IS NOT NULL)::float8,
                   avg(CASE WHEN compound > -0.05 AND compound < 0.05 THEN 1 ELSE 0 END) FILTER (WHERE compound IS NOT NULL)::float8,
                   avg(CASE WHEN compound <= -0.05 THEN 1 ELSE 0 END) FILTER (WHERE compound IS NOT NULL)::float8,
                   (count(*) - count(compound))::bigint
            FROM scored GROUP BY ROLLUP (language) ORDER BY language NULLS FIRST
            """
        ).map(Scorecards.SentimentCounts.init)
    }

    func topics(_ q: ScorecardQuery, _ kind: Scorecards.TopicKind) async throws -> [Scorecard.Topic] {
        let column = PostgresQuery(unsafeSQL: kind.rawValue)
        let rows = try await db.query(
            """
            WITH \(Self.scored(q)),
            items AS (SELECT lower(e ->> \(kind.key)) AS name, s.id, s.source FROM scored s, jsonb_array_elements(s.\(column)) e),
            top AS (SELECT name, count(*)::bigint AS n,
                           coalesce((array_agg(id ORDER BY id DESC) FILTER (WHERE source = 'feedback'))[1:3], '{}')::text[] AS examples
                    FROM items GROUP BY name ORDER BY count(*) DESC, name LIMIT 10)
            SELECT name, n, examples FROM top ORDER BY n DESC, name
            """
        )
        let previous = try await db.query(
            """
            WITH \(Self.scored(q.previous))
            SELECT lower(e ->> \(kind.key)), count(*)::bigint FROM scored s, jsonb_array_elements(s.\(column)) e GROUP BY 1
            """
        )
        return try Self.topics(rows, previous: previous)
    }

    /// Topics from (name, count, example ids) rows and the previous period's (name, count).
    static func topics(_ rows: PostgresRows, previous: PostgresRows) throws -> [Scorecard.Topic] {
        var before: [String: Int] = [:]
        for row in previous { before[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1) }
        return try rows.map { row in
            let (name, count, examples) = try row.decode((String, Int, [String]).self)
            return .init(name: name, count: count, previousCount: before[name] ?? 0, exampleFeedbackIDs: examples.compactMap { Int64($0) })
        }
    }

    func weekly(_ q: ScorecardQuery) async throws -> [Scorecard.Week] {
        try await db.query(
            """
            WITH activity AS (
                SELECT date_trunc('week', r.submitted_at AT TIME ZONE \(q.clock.timeZone.identifier)) AS week, 1 AS responses, 0 AS feedback, 0 AS attendance,
                       0::float8 AS hours \(Self.responses(q))
                UNION ALL SELECT date_trunc('week', f.created_at AT TIME ZONE \(q.clock.timeZone.identifier)), 0, 1, 0, 0 \(Self.feedback(q))
                UNION ALL SELECT date_trunc('week', e.starts_at AT TIME ZONE \(q.clock.timeZone.identifier)), 0, 0, a.count, 0 \(Self.attendance(q))
                UNION ALL SELECT date_trunc('week', sh.starts_at AT TIME ZONE \(q.clock.timeZone.identifier)), 0, 0, 0, coalesce(s.hours_approved, 0)::float8
                          \(Self.signups(q))
            )
            SELECT to_char(week, 'YYYY-MM-DD'), sum(responses)::bigint, sum(feedback)::bigint, sum(attendance)::bigint, sum(hours)::float8
            FROM activity GROUP BY week ORDER BY week
            """
        ).map(Scorecard.Week.init)
    }

    func peoplePerSchool(_ q: ScorecardQuery) async throws -> [Scorecards.SchoolPeople] {
        try await Self.schoolsInScope(
            q,
            perSchool: """
                \(Self.people(q)),
                per_school AS (
                    SELECT school_id, (count(DISTINCT participant_id) + coalesce(sum(n) FILTER (WHERE participant_id IS NULL), 0))::bigint AS people
                    FROM people WHERE school_id IS NOT NULL GROUP BY school_id)
                """,
            on: db
        )
    }

    /// The schools in scope (every school, the cluster, or the one school) with the people of a
    /// `per_school (school_id, people)` CTE.
    static func schoolsInScope(_ q: ScorecardQuery, perSchool: PostgresQuery, on db: PostgresConnection) async throws -> [Scorecards.SchoolPeople] {
        try await db.query(
            """
            WITH \(perSchool)
            SELECT s.id, s.code, s.name, s.cluster, s.enrollment, coalesce(p.people, 0)::bigint
            FROM schools s LEFT JOIN per_school p ON p.school_id = s.id
            WHERE (\(q.schoolID)::bigint IS NULL OR s.id = \(q.schoolID)) AND (\(q.cluster)::text IS NULL OR s.cluster = \(q.cluster))
            ORDER BY s.code
            """
        ).map { row in
            let (id, code, name, cluster, enrollment, people) = try row.decode((Int64, String, String, String, Int, Int).self)
            return .init(id: id, code: code, name: name, cluster: cluster, enrollment: enrollment, people: people)
        }
    }
}

extension Scorecards.Totals {
    /// From (participants, responses, feedback, events, attendance, capacity, signups,
    /// waitlisted, attended, approved hours, mean compound), from `offset` on.
    init(_ row: PostgresRow, from offset: Int = 0) throws {
        (participants, responses, feedback, events, attendance) = (
            try row.decode(Int.self, at: offset), try row.decode(Int.self, at: offset + 1), try row.decode(Int.self, at: offset + 2),
            try row.decode(Int.self, at: offset + 3), try row.decode(Int.self, at: offset + 4)
        )
        (capacity, signups, waitlisted, attended) = (
            try row.decode(Int.self, at: offset + 5), try row.decode(Int.self, at: offset + 6), try row.decode(Int.self, at: offset + 7),
            try row.decode(Int.self, at: offset + 8)
        )
        approvedHours = try row.decode(Double.self, at: offset + 9)
        meanCompound = try row.decode(Double?.self, at: offset + 10)
    }
}

extension Scorecards.SentimentCounts {
    /// From (language, scored, mean, positive, neutral, negative, not scored), from `offset` on.
    init(_ row: PostgresRow, from offset: Int) throws {
        language = try row.decode(String.self, at: offset)
        scored = try row.decode(Int.self, at: offset + 1)
        (mean, positive, neutral, negative) = (
            try row.decode(Double?.self, at: offset + 2), try row.decode(Double?.self, at: offset + 3),
            try row.decode(Double?.self, at: offset + 4), try row.decode(Double?.self, at: offset + 5)
        )
        notScored = try row.decode(Int.self, at: offset + 6)
    }

    init(_ row: PostgresRow) throws { try self.init(row, from: 0) }
}

extension Scorecard.Week {
    /// From (week start, responses, feedback, attendance, approved hours).
    init(_ row: PostgresRow) throws {
        let (week, responses, feedback, attendance, hours) = try row.decode((String, Int, Int, Int, Double).self)
        self.init(weekStart: week, responses: responses, feedback: feedback, attendance: attendance, approvedHours: Scorecards.rounded(hours))
    }
}
