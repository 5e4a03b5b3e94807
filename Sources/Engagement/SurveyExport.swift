import CSV
import Foundation
import Postgres

/// A survey's anonymised responses for analysts, one row per response and one column per
/// question (participant id the only identifier), and its codebook: what every column holds, in
/// every language and wording version. No suppression: admins only, and audited by the caller.
public struct SurveyExport: Sendable {
    public let survey: Survey

    public init(survey: Survey) {
        self.survey = survey
    }

    public static func load(surveyID: Int64, on db: PostgresConnection) async throws -> SurveyExport {
        SurveyExport(survey: try await Surveys().survey(id: surveyID, on: db))
    }

    /// The column a question's answers are in.
    public static func column(_ question: Question) -> String { "q\(question.position)_\(question.id)" }

    public var header: [String] {
        ["response_id", "participant_id", "submitted_at", "school_code", "group", "language"] + survey.questions.map(Self.column)
    }

    /// Calls `emit` with each response's row, in id order, read a page at a time (one snapshot
    /// when `db` is in a REPEATABLE READ transaction).
    public func responses(on db: PostgresConnection, emit: ([String]) throws -> Void) async throws {
        var after: Int64 = 0
        let ids = survey.questions.map { String($0.id) }
        while true {
            let rows = try await db.query(
                """
                SELECT r.id, r.participant_id::text, to_char(r.submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), s.code,
                       r.stakeholder_group::text, r.language,
                       (SELECT array_agg(coalesce(a.number::text, a.text, array_to_string(a.choices, ';'), '') ORDER BY q.i)
                        FROM unnest(\(ids)::text[]::bigint[]) WITH ORDINALITY q(id, i)
                        LEFT JOIN answers a ON a.response_id = r.id AND a.question_id = q.id)
                FROM responses r LEFT JOIN schools s ON s.id = r.school_id
                WHERE r.survey_id = \(survey.id) AND r.id > \(after) ORDER BY r.id LIMIT 1000
                """
            )
            if rows.isEmpty { return }
            for row in rows {
                let (id, participant, at, school, group, language) = try row.decode((Int64, String?, String, String?, String, String).self)
                after = id
                let answers = try row.decode([String].self, at: 6)
                try emit([String(id), participant ?? "", at, school ?? "", group, language] + answers)
            }
        }
    }

    public static let codebookHeader = ["column", "question_id", "position", "kind", "recommendation", "version", "language", "text", "values"]

    /// One row per column, wording version and district language: the prompt and the values with
    /// their labels in that language (empty where not translated).
    public func codebook(on db: PostgresConnection) async throws -> [[String]] {
        let languages = try await DistrictSettings.current(on: db).languages
        var rows: [[String]] = []
        let wordings = try await Results().wordings(survey, on: db)
        for question in survey.questions {
            let versions = (wordings[question.id] ?? [:]).map { ($0.key, $0.value) } + [(question.version, question.prompt)]
            for (version, prompt) in versions.sorted(by: { $0.0 < $1.0 }) {
                for language in languages {
                    let values: String
                    switch question.kind {
                    case .likert5: values = "1|2|3|4|5"
                    case .rating0to10: values = (0...10).map(String.init).joined(separator: "|")
                    case .text: values = ""
                    case .choice, .multiChoice:
                        values = question.choices.map { "\($0.value)=\($0.label.texts[language] ?? "")" }
                            .joined(separator: "|")
                    }
                    rows.append([
                        Self.column(question), String(question.id), String(question.position), question.kind.rawValue,
                        question.recommendation ? "true" : "false", String(version), language, prompt.texts[language] ?? "", values,
                    ])
                }
            }
        }
        return rows
    }

    /// The rows as CSV (RFC 4180, a header first), for a download.
    public static func csv(header: [String], rows: [[String]]) throws -> Data {
        let stream = OutputStream(toMemory: ())
        let writer = try CSVWriter(stream: stream)
        try writer.write(row: header)
        for row in rows { try writer.write(row: row) }
        writer.stream.close()
        return stream.property(forKey: .dataWrittenToMemoryStreamKey) as? Data ?? Data()
    }
}
