import Foundation
import Postgres
import Scoring

/// Survey results (docs/results.md): counts from the rollups where they answer the query (no
/// language filter or breakdown, whole local days) and from the records otherwise, composed by
/// `ResultsComposer`. Run it in one REPEATABLE READ snapshot.
public struct Results: Sendable {
    public var source: Scorecards.Source

    public init(source: Scorecards.Source = .rollups) {
        self.source = source
    }

    public func usesRollups(_ q: ResultsQuery) -> Bool {
        source == .rollups && q.language == nil && q.by != .language
            && (q.from.map(q.clock.isMidnight) ?? true) && (q.to.map(q.clock.isMidnight) ?? true)
    }

    public func results(_ query: ResultsQuery, on db: PostgresConnection) async throws -> SurveyResults {
        var query = query
        query.clock = try await DistrictClock.current(on: db)
        try query.validate()
        let survey = try await Surveys().survey(id: query.surveyID, on: db)
        if let schoolID = query.schoolID, try await db.query("SELECT 1 FROM schools WHERE id = \(schoolID)").isEmpty {
            throw EngagementError.invalid("school_id", "no such school")
        }
        if let cluster = query.cluster, try await db.query("SELECT 1 FROM schools WHERE cluster = \(cluster)").isEmpty {
            throw EngagementError.invalid("cluster", "no such cluster")
        }
        let cells = try await self.cells(query, on: db)
        var previous: (Survey, [AnswerCell])?
        if let earlierID = survey.previousSurveyID, let earlier = try? await Surveys().survey(id: earlierID, on: db) {
            var whole = query
            (whole.surveyID, whole.from, whole.to, whole.by) = (earlierID, nil, nil, nil)
            previous = (earlier, try await self.cells(whole, on: db))
        }
        let keys = Set(cells.filter { $0.questionID == 0 }.map(\.slice))
        return ResultsComposer.compose(
            ResultsInput(
                survey: survey,
                query: query,
                cells: cells,
                slices: try await slices(query.by, keys: keys, on: db),
                wordings: try await wordings(survey, on: db),
                topics: try await topics(query, survey, on: db),
                previous: previous,
                schools: try await schools(query, on: db)
            )
        )
    }

    /// The responses in scope, as SQL over `responses r`.
    func inScope(_ q: ResultsQuery) -> PostgresQuery {
        """
        r.survey_id = \(q.surveyID)
        AND (\(q.from)::timestamptz IS NULL OR r.submitted_at >= \(q.from)) AND (\(q.to)::timestamptz IS NULL OR r.submitted_at < \(q.to))
        AND (\(q.schoolID)::bigint IS NULL OR r.school_id = \(q.schoolID))
        AND (\(q.cluster)::text IS NULL OR r.school_id IN (SELECT id FROM schools WHERE cluster = \(q.cluster)))
        AND (\(q.group?.rawValue)::text IS NULL OR r.stakeholder_group::text = \(q.group?.rawValue))
        AND (\(q.language)::text IS NULL OR r.language = \(q.language))
        """
    }

    /// The rows of a rollup table in scope: the survey, the filters, and the period's days
    /// (tables without a day are read only for queries without a period).
    func rollupScope(_ q: ResultsQuery) -> PostgresQuery {
        let days: PostgresQuery =
            q.from == nil ? "TRUE" : "day >= \(q.from.map(q.clock.day(of:)))::date AND day < \(q.to.map(q.clock.day(of:)))::date"
        return """
            \(days) AND survey_id = \(q.surveyID)
            AND (\(q.schoolID)::bigint IS NULL OR school_id = \(q.schoolID))
            AND (\(q.cluster)::text IS NULL OR school_id IN (SELECT id FROM schools WHERE cluster = \(q.cluster)))
            AND (\(q.group?.rawValue)::text IS NULL OR stakeholder_group::text = \(q.group?.rawValue))
            """
    }

    static func sliceColumn(_ by: ResultsQuery.Dimension?, records: Bool) -> String {
        switch by {
        case nil: return "''"
        case .school: return records ? "coalesce(r.school_id, 0)::text" : "school_id::text"
        case .group: return records ? "r.stakeholder_group::text" : "stakeholder_group::text"
        case .language: return "r.language"
        }
    }

    func cells(_ q: ResultsQuery, on db: PostgresConnection) async throws -> [AnswerCell] {
        let rows: PostgresRows
        if usesRollups(q) {
            let slice = Self.sliceColumn(q.by, records: false)
            rows = try await db.query(
                """
                SELECT question_id, question_version, \(unsafeSQL: slice), value, sum(respondents)::int, sum(compound_sum)::float8
                FROM \(unsafeSQL: q.from == nil ? "rollup_answer_totals" : "rollup_answers") WHERE \(rollupScope(q))
                GROUP BY 1, 2, 3, 4
                """
            )
        } else {
            rows = try await db.query(
                """
                WITH responded AS (SELECT r.id, \(unsafeSQL: Self.sliceColumn(q.by, records: true)) AS slice FROM responses r WHERE \(inScope(q)))
                SELECT 0::bigint, 0, slice, '', count(*)::int, 0::float8 FROM responded GROUP BY slice
                UNION ALL
                SELECT a.question_id, a.question_version, x.slice, v.value, count(*)::int, sum(v.compound)::float8
                FROM responded x JOIN answers a ON a.response_id = x.id
                     LEFT JOIN text_scores t ON a.text IS NOT NULL AND t.source = 'answer' AND t.source_id = a.id
                                             AND t.scorer_version = \(TextScorer.version),
                     LATERAL (\(unsafeSQL: Rollups.answerValues)) v(value, compound)
                GROUP BY 1, 2, 3, 4
                """
            )
        }
        return try rows.map { row in
            let (question, version, slice, value, respondents, compound) = try row.decode((Int64, Int, String, String, Int, Double).self)
            return AnswerCell(questionID: question, version: version, slice: slice, value: value, respondents: respondents, compoundSum: compound)
        }
    }

    /// The breakdown's slices present in the counts, named and in the order shown.
    func slices(_ by: ResultsQuery.Dimension?, keys: Set<String>, on db: PostgresConnection) async throws -> [(key: String, name: String)] {
        switch by {
        case nil: return []
        case .group: return StakeholderGroup.allCases.map(\.rawValue).filter(keys.contains).map { ($0, $0) }
        case .language: return keys.sorted().map { ($0, $0) }
        case .school:
            let rows = try await db.query("SELECT id::text, name FROM schools WHERE id::text = ANY(\(Array(keys))::text[]) ORDER BY name, id")
            var named: [(key: String, name: String)] = []
            for row in rows {
                let (key, name) = try row.decode((String, String).self)
                named.append((key, name))
            }
            // Responses without a school last, named by whoever shows them.
            return named + (keys.contains("0") ? [(key: "0", name: "")] : [])
        }
    }

    func wordings(_ survey: Survey, on db: PostgresConnection) async throws -> [Int64: [Int: Translated]] {
        var wordings: [Int64: [Int: Translated]] = [:]
        let ids = survey.questions.map { String($0.id) }
        let rows = try await db.query("SELECT question_id, version, prompt FROM question_versions WHERE question_id = ANY(\(ids)::bigint[])")
        for row in rows {
            let (question, version, prompt) = try row.decode((Int64, Int, PostgresJSON<Translated>).self)
            wordings[question, default: [:]][version] = prompt.value
        }
        return wordings
    }

    /// Themes and keyphrases of the text answers in scope: per question, the top five of each
    /// with at least the minimum mentions (a text counted once per name), with the three newest
    /// answers carrying them. From the topic rollups where the answers' rollups serve, else from
    /// the scored texts.
    func topicsQuery(_ q: ResultsQuery, _ survey: Survey) -> PostgresQuery {
        let ranked: PostgresQuery
        // The example answers' ids of each of the top topics only (from the rollups: not for
        // every keyphrase, before ranking, which cost most of the query).
        let examples: PostgresQuery
        if usesRollups(q) {
            ranked = """
                totals AS (
                    SELECT question_id, kind, name, sum(mentions) AS mentions
                    FROM \(unsafeSQL: q.from == nil ? "rollup_answer_topic_totals" : "rollup_answer_topics") WHERE \(rollupScope(q))
                    GROUP BY 1, 2, 3
                ),
                ranked AS (
                    SELECT question_id, kind, name, mentions,
                           row_number() OVER (PARTITION BY question_id, kind ORDER BY mentions DESC, name) AS rank
                    FROM totals
                )
                """
            examples = """
                ARRAY(SELECT e FROM rollup_answer_topics x, unnest(x.examples) e
                      WHERE \(rollupScope(q)) AND x.question_id = ranked.question_id AND x.kind = ranked.kind AND x.name = ranked.name
                      ORDER BY e DESC LIMIT 3)
                """
        } else {
            let texts = survey.questions.filter { $0.kind == .text }.map { String($0.id) }
            ranked = """
                scored AS (
                    SELECT a.question_id, a.id, t.themes, t.keyphrases
                    FROM answers a JOIN responses r ON r.id = a.response_id
                         JOIN text_scores t ON t.source = 'answer' AND t.source_id = a.id AND t.scorer_version = \(TextScorer.version)
                    WHERE a.question_id = ANY(\(texts)::bigint[]) AND a.text IS NOT NULL AND \(inScope(q))
                ),
                items AS (
                    SELECT question_id, 'themes' AS kind, lower(e ->> 'theme') AS name, id FROM scored, jsonb_array_elements(themes) e
                    UNION
                    SELECT question_id, 'keyphrases', lower(e ->> 'phrase'), id FROM scored, jsonb_array_elements(keyphrases) e
                ),
                ranked AS (
                    SELECT question_id, kind, name, count(*) AS mentions, (array_agg(id ORDER BY id DESC))[1:3] AS examples,
                           row_number() OVER (PARTITION BY question_id, kind ORDER BY count(*) DESC, name) AS rank
                    FROM items WHERE name IS NOT NULL GROUP BY question_id, kind, name
                )
                """
            examples = "examples"
        }
        return """
            WITH \(ranked)
            SELECT question_id, kind, name, mentions::int, ARRAY(SELECT text FROM answers WHERE id = ANY(\(examples)) ORDER BY id DESC)
            FROM ranked WHERE rank <= 5 AND mentions >= \(Disclosure.minimumCell) ORDER BY question_id, kind, rank
            """
    }

    func topics(_ q: ResultsQuery, _ survey: Survey, on db: PostgresConnection) async throws -> [TopicRow] {
        try await db.query(topicsQuery(q, survey)).map { row in
            let (question, kind, name, mentions, examples) = try row.decode((Int64, String, String, Int, [String]).self)
            return TopicRow(questionID: question, kind: kind == "themes" ? .themes : .keyphrases, name: name, mentions: mentions, examples: examples)
        }
    }

    /// Schools in scope with their enrollment and families' responses in scope.
    func schools(_ query: ResultsQuery, on db: PostgresConnection) async throws -> [SchoolFamilies] {
        // Families' responses, whatever group the rest of the results are filtered to.
        var q = query
        q.group = nil
        let families: PostgresQuery =
            usesRollups(q) && q.from == nil
            ? """
            SELECT school_id, sum(respondents) AS n FROM rollup_answer_totals
            WHERE survey_id = \(q.surveyID) AND question_id = 0 AND stakeholder_group = 'families' GROUP BY school_id
            """
            : """
            SELECT r.school_id, count(*) AS n FROM responses r WHERE \(inScope(q)) AND r.stakeholder_group = 'families' GROUP BY r.school_id
            """
        return try await db.query(
            """
            SELECT s.id, s.code, s.name, s.enrollment, coalesce(c.n, 0)::int
            FROM schools s LEFT JOIN (\(families)) c ON c.school_id = s.id
            WHERE (\(q.schoolID)::bigint IS NULL OR s.id = \(q.schoolID)) AND (\(q.cluster)::text IS NULL OR s.cluster = \(q.cluster))
            ORDER BY s.name, s.id
            """
        ).map { row in
            let (id, code, name, enrollment, responses) = try row.decode((Int64, String, String, Int, Int).self)
            return SchoolFamilies(id: id, code: code, name: name, enrollment: enrollment, responses: responses)
        }
    }
}
