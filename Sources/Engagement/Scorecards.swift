import Foundation
import Postgres
import Scoring

/// Computes scorecards from the records (see `docs/scorecard.md` for every definition).
public struct Scorecards: Sendable {
    /// District defaults for targets an initiative does not set; per school year.
    public static let defaultTargets = Targets(reachPer100: 20, voicePer100: 10, participationRate: 0.7, volunteerHours: 100)

    /// Where the numbers come from: the rollups (the default; whole-day periods without a group
    /// filter) or always the records (the reference the rollups are tested against).
    public enum Source: Sendable { case rollups, records }
    public var source: Source

    public init(source: Source = .rollups) {
        self.source = source
    }

    // MARK: Scope: the same filters for every source

    func schoolFilter(_ column: String, _ q: ScorecardQuery) -> PostgresQuery {
        """
        (\(q.schoolID)::bigint IS NULL OR \(unsafeSQL: column) = \(q.schoolID))
        AND (\(q.cluster)::text IS NULL OR \(unsafeSQL: column) IN (SELECT id FROM schools WHERE cluster = \(q.cluster)))
        """
    }

    func groupFilter(_ column: String, _ q: ScorecardQuery) -> PostgresQuery {
        "(\(q.group?.rawValue)::stakeholder_group IS NULL OR \(unsafeSQL: column) = \(q.group?.rawValue)::stakeholder_group)"
    }

    func responses(_ q: ScorecardQuery) -> PostgresQuery {
        """
        FROM responses r WHERE r.submitted_at >= \(q.from) AND r.submitted_at < \(q.to)
          AND (\(q.initiativeID)::bigint IS NULL OR r.initiative_id = \(q.initiativeID))
          AND \(schoolFilter("r.school_id", q)) AND \(groupFilter("r.stakeholder_group", q))
        """
    }

    func feedback(_ q: ScorecardQuery) -> PostgresQuery {
        """
        FROM feedback f WHERE f.created_at >= \(q.from) AND f.created_at < \(q.to)
          AND (\(q.initiativeID)::bigint IS NULL OR f.initiative_id = \(q.initiativeID))
          AND \(schoolFilter("f.school_id", q)) AND \(groupFilter("f.stakeholder_group", q))
        """
    }

    func events(_ q: ScorecardQuery) -> PostgresQuery {
        """
        FROM events e WHERE e.starts_at >= \(q.from) AND e.starts_at < \(q.to)
          AND (\(q.initiativeID)::bigint IS NULL
               OR EXISTS (SELECT 1 FROM event_initiatives ei WHERE ei.event_id = e.id AND ei.initiative_id = \(q.initiativeID)))
          AND \(schoolFilter("e.school_id", q))
        """
    }

    func attendance(_ q: ScorecardQuery) -> PostgresQuery {
        """
        FROM attendance a JOIN events e ON e.id = a.event_id
        WHERE e.starts_at >= \(q.from) AND e.starts_at < \(q.to)
          AND (\(q.initiativeID)::bigint IS NULL
               OR EXISTS (SELECT 1 FROM event_initiatives ei WHERE ei.event_id = e.id AND ei.initiative_id = \(q.initiativeID)))
          AND \(schoolFilter("e.school_id", q)) AND \(groupFilter("a.stakeholder_group", q))
        """
    }

    func signups(_ q: ScorecardQuery) -> PostgresQuery {
        """
        FROM signups s JOIN volunteer_shifts sh ON sh.id = s.shift_id JOIN volunteer_opportunities o ON o.id = sh.opportunity_id
        WHERE sh.starts_at >= \(q.from) AND sh.starts_at < \(q.to) AND s.status <> 'cancelled'
          AND (\(q.initiativeID)::bigint IS NULL OR o.initiative_id = \(q.initiativeID))
          AND \(schoolFilter("o.school_id", q)) AND \(groupFilter("s.stakeholder_group", q))
        """
    }

    /// Every engagement as (school, participant or NULL, people): known people once each,
    /// anonymous responses and comments one each, headcounts by their count.
    func people(_ q: ScorecardQuery) -> PostgresQuery {
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
    func scored(_ q: ScorecardQuery) -> PostgresQuery {
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

    // MARK: Computation

    public func scorecard(_ query: ScorecardQuery, on db: PostgresConnection) async throws -> Scorecard {
        try await validate(query, on: db)
        var initiative: Initiative?
        if let id = query.initiativeID { initiative = try await ReferenceData().initiative(id: id, on: db) }
        let sentiment = try await sentiment(query, on: db)
        let summary = summary(
            query,
            initiative: initiative,
            current: try await totals(query, on: db),
            previous: try await totals(query.previous, on: db),
            enrolled: try await enrollment(query, on: db),
            previousEnrolled: try await enrollment(query.previous, on: db),
            sentiment: sentiment.overall
        )
        return Scorecard(
            summary: summary,
            sentiment: sentiment,
            themes: try await topics(query, "themes", key: "theme", on: db),
            keyphrases: try await topics(query, "keyphrases", key: "phrase", on: db),
            weekly: try await weekly(query, on: db),
            equity: try await equity(query, on: db)
        )
    }

    /// Every initiative's headline numbers for the same period and filters, by index (highest
    /// first unless `ascending`). From the rollups this is one query per measure for all of them.
    public func all(_ query: ScorecardQuery, ascending: Bool = false, on db: PostgresConnection) async throws -> [ScorecardSummary] {
        try await validate(query, on: db)
        let initiatives = try await ReferenceData().allInitiatives(on: db)
        var summaries: [ScorecardSummary] = []
        if usesRollups(query) {
            let ids = initiatives.map(\.id)
            let current = try await rollupTotals(query, ids, on: db)
            let previous = try await rollupTotals(query.previous, ids, on: db)
            let enrolled = try await rollupEnrollment(query, ids, on: db)
            let previousEnrolled = try await rollupEnrollment(query.previous, ids, on: db)
            let sentiment = try await rollupSentimentOverall(query, ids, on: db)
            for initiative in initiatives {
                var one = query
                one.initiativeID = initiative.id
                summaries.append(
                    summary(
                        one,
                        initiative: initiative,
                        current: current[initiative.id] ?? Totals(),
                        previous: previous[initiative.id] ?? Totals(),
                        enrolled: enrolled[initiative.id] ?? 0,
                        previousEnrolled: previousEnrolled[initiative.id] ?? 0,
                        sentiment: sentiment[initiative.id] ?? Self.slice("all", scored: 0, mean: nil, positive: nil, neutral: nil, negative: nil)
                    )
                )
            }
        } else {
            for initiative in initiatives {
                var one = query
                one.initiativeID = initiative.id
                summaries.append(ScorecardSummary(try await scorecard(one, on: db)))
            }
        }
        return summaries.sorted {
            $0.index.value == $1.index.value
                ? ($0.initiative?.id ?? 0) < ($1.initiative?.id ?? 0)
                : (ascending ? $0.index.value < $1.index.value : $0.index.value > $1.index.value)
        }
    }

    func validate(_ query: ScorecardQuery, on db: PostgresConnection) async throws {
        try query.validate()
        if let schoolID = query.schoolID, try await db.query("SELECT 1 FROM schools WHERE id = \(schoolID)").isEmpty {
            throw EngagementError.invalid("school_id", "no such school")
        }
        if let cluster = query.cluster, try await db.query("SELECT 1 FROM schools WHERE cluster = \(cluster)").isEmpty {
            throw EngagementError.invalid("cluster", "no such cluster")
        }
    }

    /// The headline numbers and the index from the totals of the period and the one before.
    func summary(
        _ query: ScorecardQuery,
        initiative: Initiative?,
        current: Totals,
        previous: Totals,
        enrolled: Int,
        previousEnrolled: Int,
        sentiment: Scorecard.SentimentSlice
    ) -> ScorecardSummary {
        var targets = Self.defaultTargets
        if let found = initiative?.targets {
            targets = Targets(
                reachPer100: found.reachPer100 ?? targets.reachPer100,
                voicePer100: found.voicePer100 ?? targets.voicePer100,
                participationRate: found.participationRate ?? targets.participationRate,
                volunteerHours: found.volunteerHours ?? targets.volunteerHours
            )
        }
        let years = max(query.to.timeIntervalSince(query.from) / (365 * 86_400), 7.0 / 365)
        let voicePer100 = enrolled > 0 ? Double(current.responses + current.feedback) * 100 / Double(enrolled) : 0
        let index = Self.index(current, enrolled: enrolled, targets: targets, years: years)
        let previousIndex = Self.index(previous, enrolled: previousEnrolled, targets: targets, years: years)
        var filters: [String: String] = [:]
        if let schoolID = query.schoolID { filters["school_id"] = String(schoolID) }
        if let cluster = query.cluster { filters["cluster"] = cluster }
        if let group = query.group { filters["group"] = group.rawValue }
        return ScorecardSummary(
            initiative: initiative.map { .init(id: $0.id, slug: $0.slug, title: $0.title) },
            period: .init(from: query.from, to: query.to),
            filters: filters,
            index: .init(version: Scorecard.indexVersion, value: index.value, previous: previousIndex.value, components: index.components),
            reach: Self.reach(current.participants, enrolled: enrolled),
            voice: .init(responses: current.responses, feedback: current.feedback, per100Enrolled: Self.rounded(voicePer100)),
            participation: .init(
                events: current.events,
                attendance: current.attendance,
                capacity: current.capacity,
                fillRate: current.fillRate.map(Self.rounded)
            ),
            volunteering: .init(
                signups: current.signups,
                waitlisted: current.waitlisted,
                attended: current.attended,
                approvedHours: Self.rounded(current.approvedHours)
            ),
            sentiment: sentiment,
            previous: .init(
                period: .init(from: query.previous.from, to: query.previous.to),
                participants: previous.participants >= Scorecard.minimumCell ? previous.participants : nil,
                responses: previous.responses,
                feedback: previous.feedback,
                attendance: previous.attendance,
                approvedHours: Self.rounded(previous.approvedHours),
                meanCompound: previous.meanCompound.map(Self.rounded)
            )
        )
    }

    struct Totals {
        var participants = 0
        var responses = 0
        var feedback = 0
        var events = 0
        var attendance = 0
        var capacity = 0
        var signups = 0
        var waitlisted = 0
        var attended = 0
        var approvedHours = 0.0
        var meanCompound: Double?
        var fillRate: Double? { capacity > 0 ? Double(attendance) / Double(capacity) : nil }
    }

    func totals(_ q: ScorecardQuery, on db: PostgresConnection) async throws -> Totals {
        if usesRollups(q) { return try await rollupTotals(q, [q.initiativeID ?? 0], on: db)[q.initiativeID ?? 0] ?? Totals() }
        let row = try await db.query(
            """
            WITH \(people(q)), \(scored(q))
            SELECT
                (SELECT count(DISTINCT participant_id) + coalesce(sum(n) FILTER (WHERE participant_id IS NULL), 0) FROM people)::bigint,
                (SELECT count(*) \(responses(q)))::bigint,
                (SELECT count(*) \(feedback(q)))::bigint,
                (SELECT count(*) \(events(q)))::bigint,
                (SELECT coalesce(sum(a.count), 0) \(attendance(q)))::bigint,
                (SELECT coalesce(sum(e.capacity), 0) \(events(q)) AND e.capacity IS NOT NULL)::bigint,
                (SELECT count(*) \(signups(q)))::bigint,
                (SELECT count(*) \(signups(q)) AND s.status = 'waitlisted')::bigint,
                (SELECT count(*) \(signups(q)) AND s.status = 'attended')::bigint,
                (SELECT coalesce(sum(s.hours_approved), 0) \(signups(q)))::float8,
                (SELECT avg(compound::numeric) FROM scored)::float8
            """
        ).one()
        var totals = Totals()
        (totals.participants, totals.responses, totals.feedback, totals.events, totals.attendance) = try row.decode(
            (Int, Int, Int, Int, Int).self
        )
        totals.capacity = try row.decode(Int.self, at: 5)
        totals.signups = try row.decode(Int.self, at: 6)
        totals.waitlisted = try row.decode(Int.self, at: 7)
        totals.attended = try row.decode(Int.self, at: 8)
        totals.approvedHours = try row.decode(Double.self, at: 9)
        totals.meanCompound = try row.decode(Double?.self, at: 10)
        return totals
    }

    /// Enrollment of the schools in scope: the school, the cluster, or (no school filter) the
    /// schools the scope's activity touched; for the whole district, every school.
    func enrollment(_ q: ScorecardQuery, on db: PostgresConnection) async throws -> Int {
        if usesRollups(q) { return try await rollupEnrollment(q, [q.initiativeID ?? 0], on: db)[q.initiativeID ?? 0] ?? 0 }
        return try await db.query(
            """
            WITH \(people(q))
            SELECT coalesce(sum(enrollment), 0)::bigint FROM schools s
            WHERE CASE
                WHEN \(q.schoolID)::bigint IS NOT NULL THEN s.id = \(q.schoolID)
                WHEN \(q.cluster)::text IS NOT NULL THEN s.cluster = \(q.cluster)
                WHEN \(q.initiativeID)::bigint IS NULL THEN true
                ELSE s.id IN (SELECT school_id FROM people WHERE school_id IS NOT NULL)
            END
            """
        ).one().decode(Int.self, at: 0)
    }

    static func reach(_ participants: Int, enrolled: Int) -> Scorecard.Reach {
        let suppressed = participants < Scorecard.minimumCell
        return .init(
            participants: suppressed ? nil : participants,
            enrolled: enrolled,
            per100Enrolled: suppressed || enrolled == 0 ? nil : rounded(Double(participants) * 100 / Double(enrolled)),
            suppressed: suppressed
        )
    }

    /// Index v1 of these totals (`EngagementIndex`, pure).
    static func index(_ totals: Totals, enrolled: Int, targets: Targets, years: Double) -> EngagementIndex {
        EngagementIndex(
            .init(
                participants: totals.participants,
                voice: totals.responses + totals.feedback,
                enrolled: enrolled,
                fillRate: totals.fillRate,
                approvedHours: totals.approvedHours,
                meanCompound: totals.meanCompound
            ),
            targets: targets,
            years: years
        )
    }

    func sentiment(_ q: ScorecardQuery, on db: PostgresConnection) async throws -> Scorecard.Sentiment {
        let rows =
            usesRollups(q)
            ? try await rollupSentiment(q, q.initiativeID ?? 0, on: db)
            : try await db.query(
                """
                WITH \(scored(q))
                SELECT coalesce(language, 'all'), count(*)::bigint, avg(compound::numeric)::float8,
                       avg(CASE WHEN compound >= 0.05 THEN 1 ELSE 0 END)::float8,
                       avg(CASE WHEN compound > -0.05 AND compound < 0.05 THEN 1 ELSE 0 END)::float8,
                       avg(CASE WHEN compound <= -0.05 THEN 1 ELSE 0 END)::float8
                FROM scored GROUP BY ROLLUP (language) ORDER BY language NULLS FIRST
                """
            )
        var slices: [Scorecard.SentimentSlice] = try rows.map { row in
            let (language, scored, mean, positive, neutral, negative) = try row.decode(
                (String, Int, Double?, Double?, Double?, Double?).self
            )
            return Self.slice(language, scored: scored, mean: mean, positive: positive, neutral: neutral, negative: negative)
        }
        let overall =
            slices.first(where: { $0.language == "all" })
            ?? Self.slice("all", scored: 0, mean: nil, positive: nil, neutral: nil, negative: nil)
        slices.removeAll(where: { $0.language == "all" })
        return .init(overall: overall, byLanguage: slices)
    }

    /// A sentiment cell, suppressed under `Scorecard.minimumCell` scored texts.
    static func slice(
        _ language: String,
        scored: Int,
        mean: Double?,
        positive: Double?,
        neutral: Double?,
        negative: Double?
    ) -> Scorecard.SentimentSlice {
        let suppressed = scored < Scorecard.minimumCell
        func cell(_ value: Double?) -> Double? { suppressed ? nil : value.map(Self.rounded) }
        return .init(
            language: language,
            scored: scored,
            meanCompound: cell(mean),
            positiveShare: cell(positive),
            neutralShare: cell(neutral),
            negativeShare: cell(negative),
            suppressed: suppressed
        )
    }

    /// Top 10 themes or keyphrases of scored comments, with the previous period's count and up to
    /// three example comment ids (newest first).
    func topics(_ q: ScorecardQuery, _ column: String, key: String, on db: PostgresConnection) async throws -> [Scorecard.Topic] {
        let previous = q.previous
        // Topics are rolled up per initiative and day only: one school's come from the records.
        if usesRollups(q) && !Self.bySchool(q) {
            let (rows, previousCounts) = try await rollupTopics(q, q.initiativeID ?? 0, kind: column, on: db)
            return try Self.topics(rows, previous: previousCounts)
        }
        let rows = try await db.query(
            """
            WITH \(scored(q)),
            items AS (SELECT lower(e ->> \(key)) AS name, s.id, s.source FROM scored s, jsonb_array_elements(s.\(unsafeSQL: column)) e),
            top AS (SELECT name, count(*)::bigint AS n,
                           coalesce((array_agg(id ORDER BY id DESC) FILTER (WHERE source = 'feedback'))[1:3], '{}')::text[] AS examples
                    FROM items GROUP BY name ORDER BY count(*) DESC, name LIMIT 10)
            SELECT name, n, examples FROM top ORDER BY n DESC, name
            """
        )
        let previousCounts = try await db.query(
            """
            WITH \(scored(previous))
            SELECT lower(e ->> \(key)), count(*)::bigint FROM scored s, jsonb_array_elements(s.\(unsafeSQL: column)) e GROUP BY 1
            """
        )
        return try Self.topics(rows, previous: previousCounts)
    }

    /// Topics from (name, count, example ids) rows and the previous period's (name, count).
    static func topics(_ rows: PostgresRows, previous previousCounts: PostgresRows) throws -> [Scorecard.Topic] {
        var before: [String: Int] = [:]
        for row in previousCounts { before[try row.decode(String.self, at: 0)] = try row.decode(Int.self, at: 1) }
        return try rows.map { row in
            let (name, count, examples) = try row.decode((String, Int, [String]).self)
            return .init(name: name, count: count, previousCount: before[name] ?? 0, exampleFeedbackIDs: examples.compactMap { Int64($0) })
        }
    }

    func weekly(_ q: ScorecardQuery, on db: PostgresConnection) async throws -> [Scorecard.Week] {
        let rows =
            usesRollups(q)
            ? try await rollupWeekly(q, q.initiativeID ?? 0, on: db)
            : try await db.query(
                """
                WITH activity AS (
                    SELECT date_trunc('week', r.submitted_at AT TIME ZONE 'UTC') AS week, 1 AS responses, 0 AS feedback, 0 AS attendance, 0::float8 AS hours \(responses(q))
                    UNION ALL SELECT date_trunc('week', f.created_at AT TIME ZONE 'UTC'), 0, 1, 0, 0 \(feedback(q))
                    UNION ALL SELECT date_trunc('week', e.starts_at AT TIME ZONE 'UTC'), 0, 0, a.count, 0 \(attendance(q))
                    UNION ALL SELECT date_trunc('week', sh.starts_at AT TIME ZONE 'UTC'), 0, 0, 0, coalesce(s.hours_approved, 0)::float8 \(signups(q))
                )
                SELECT to_char(week, 'YYYY-MM-DD'), sum(responses)::bigint, sum(feedback)::bigint, sum(attendance)::bigint, sum(hours)::float8
                FROM activity GROUP BY week ORDER BY week
                """
            )
        return try rows.map { row in
            let (week, responses, feedback, attendance, hours) = try row.decode((String, Int, Int, Int, Double).self)
            return .init(weekStart: week, responses: responses, feedback: feedback, attendance: attendance, approvedHours: Self.rounded(hours))
        }
    }

    /// Participants per 100 enrolled for each school in scope (every school of the district, the
    /// cluster, or the one school), against the median over schools with at least 10 participants.
    func equity(_ q: ScorecardQuery, on db: PostgresConnection) async throws -> Scorecard.Equity {
        let perSchool: PostgresQuery =
            usesRollups(q)
            ? rollupPeoplePerSchool(q, q.initiativeID ?? 0)
            : """
            \(people(q)),
            per_school AS (
                SELECT school_id, (count(DISTINCT participant_id) + coalesce(sum(n) FILTER (WHERE participant_id IS NULL), 0))::bigint AS people
                FROM people WHERE school_id IS NOT NULL GROUP BY school_id)
            """
        let rows = try await db.query(
            """
            WITH \(perSchool)
            SELECT s.id, s.code, s.name, s.cluster, s.enrollment, coalesce(p.people, 0)::bigint
            FROM schools s LEFT JOIN per_school p ON p.school_id = s.id
            WHERE (\(q.schoolID)::bigint IS NULL OR s.id = \(q.schoolID)) AND (\(q.cluster)::text IS NULL OR s.cluster = \(q.cluster))
            ORDER BY s.code
            """
        )
        var cells: [Scorecard.SchoolCell] = try rows.map { row in
            let (id, code, name, cluster, enrollment, people) = try row.decode((Int64, String, String, String, Int, Int).self)
            let suppressed = people < Scorecard.minimumCell
            return .init(
                schoolID: id,
                code: code,
                name: name,
                cluster: cluster,
                enrollment: enrollment,
                participants: suppressed ? nil : people,
                per100Enrolled: suppressed || enrollment == 0 ? nil : Self.rounded(Double(people) * 100 / Double(enrollment)),
                belowHalfMedian: nil,
                suppressed: suppressed
            )
        }
        let median = Self.median(cells.compactMap(\.per100Enrolled))
        if let median {
            for index in cells.indices where !cells[index].suppressed {
                cells[index].belowHalfMedian = (cells[index].per100Enrolled ?? 0) < median / 2
            }
        }
        return .init(districtMedianPer100: median.map(Self.rounded), schools: cells)
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// Four decimals: stable across CLI and HTTP and readable.
    static func rounded(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
}
