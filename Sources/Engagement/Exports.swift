import Foundation
import Postgres

/// CSV exports, read page by page (by id) so memory stays flat on large tables. Exports carry
/// participant ids, never contact details.
public struct Exports: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case responses, feedback, attendance
    }

    public init() {}

    public func header(_ kind: Kind) -> [String] {
        switch kind {
        case .responses:
            [
                "response_id", "survey_id", "initiative_id", "school_id", "participant_id", "group", "language", "submitted_at",
                "question_id", "number", "text", "choices",
            ]
        case .feedback:
            ["id", "initiative_id", "school_id", "participant_id", "group", "language", "comment", "scoring_state", "created_at"]
        case .attendance:
            ["id", "event_id", "kind", "group", "count", "participant_id", "recorded_at"]
        }
    }

    /// Calls `emit` with each row's fields, in id order.
    public func export(
        _ kind: Kind,
        initiativeID: Int64?,
        on client: PostgresClient,
        emit: ([String]) throws -> Void
    ) async throws {
        var after: Int64 = 0
        while true {
            let query: PostgresQuery
            switch kind {
            case .responses:
                query = """
                    SELECT a.id AS position, r.id::text, r.survey_id::text, r.initiative_id::text, r.school_id::text, r.participant_id::text,
                           r.stakeholder_group::text, r.language, to_char(r.submitted_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                           a.question_id::text, a.number::text, a.text, array_to_string(a.choices, ';')
                    FROM answers a JOIN responses r ON r.id = a.response_id
                    WHERE a.id > \(after) AND (\(initiativeID)::bigint IS NULL OR r.initiative_id = \(initiativeID))
                    ORDER BY position LIMIT 1000
                    """
            case .feedback:
                query = """
                    SELECT id AS position, id::text, initiative_id::text, school_id::text, participant_id::text, stakeholder_group::text, language,
                           comment, scoring_state::text, to_char(created_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                    FROM feedback WHERE id > \(after) AND (\(initiativeID)::bigint IS NULL OR initiative_id = \(initiativeID))
                    ORDER BY position LIMIT 1000
                    """
            case .attendance:
                query = """
                    SELECT a.id AS position, a.id::text, a.event_id::text, a.kind, a.stakeholder_group::text, a.count::text, a.participant_id::text,
                           to_char(a.recorded_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                    FROM attendance a
                    WHERE a.id > \(after) AND (\(initiativeID)::bigint IS NULL
                        OR EXISTS (SELECT 1 FROM event_initiatives i WHERE i.event_id = a.event_id AND i.initiative_id = \(initiativeID)))
                    ORDER BY position LIMIT 1000
                    """
            }
            let rows = try await client.query(query)
            if rows.isEmpty { return }
            for row in rows {
                after = try row.decode(Int64.self, at: 0)
                try emit((1..<row.columns.count).map { (try? row.decode(String?.self, at: $0)) ?? nil }.map { $0 ?? "" })
            }
        }
    }
}
