import Foundation
import Jobs
import Logging
import Postgres
import Scoring

/// The `score-text` job: scores one feedback comment or text answer and upserts its
/// `text_scores` row for the current scorer version (so running it twice changes nothing but
/// `times_scored`), then marks the record scored. Every initiative's theme keywords are themes.
public struct TextScoring: Sendable {
    public static let kind = "score-text"

    public struct Payload: Codable, Sendable, Equatable {
        public var source: String
        public var id: Int64
        public init(source: String, id: Int64) {
            self.source = source
            self.id = id
        }
    }

    let database: PostgresClient
    let scorer: TextScorer

    public init(database: PostgresClient) throws {
        self.database = database
        self.scorer = try TextScorer()
    }

    /// Enqueues scoring of a record in the caller's transaction (a pending job for the same
    /// record makes this a no-op).
    public static func enqueue(source: String, id: Int64, on db: PostgresConnection) async throws {
        try await JobQueue().push(
            kind: kind,
            payload: Payload(source: source, id: id),
            options: .init(uniqueKey: uniqueKey(Payload(source: source, id: id))),
            on: db
        )
    }

    public var handler: JobHandler {
        { job in try await self.score(try job.decode(Payload.self)) }
    }

    public func score(_ payload: Payload) async throws {
        let query: PostgresQuery
        switch payload.source {
        case "feedback":
            query = """
                SELECT comment, initiative_id, coalesce(language, (SELECT default_language FROM district_settings))
                FROM feedback WHERE id = \(payload.id)
                """
        case "answer":
            query = "SELECT a.text, r.initiative_id, r.language FROM answers a JOIN responses r ON r.id = a.response_id WHERE a.id = \(payload.id)"
        default:
            throw EngagementError.invalid("source", "unknown source \(payload.source)")
        }
        guard let row = try await database.query(query).first else { return }  // erased since: nothing to score
        // The form's language: what a text too short to identify is taken to be written in.
        let (text, initiativeID, formLanguage) = try row.decode((String?, Int64, String).self)
        guard let text else { return }
        let themes = try await database.query("SELECT slug, theme_keywords FROM initiatives WHERE cardinality(theme_keywords) > 0").map {
            Theme(name: try $0.decode(String.self, at: 0), keywords: try $0.decode([String].self, at: 1))
        }
        let score = scorer.with(themes: themes).score(text, formLanguage: formLanguage)
        let sentiment = score.sentiment
        try await database.withTransaction { db in
            try await db.query(
                """
                INSERT INTO text_scores (source, source_id, scorer_version, initiative_id, language, language_confidence,
                                         neg, neu, pos, compound, keyphrases, themes)
                VALUES (\(payload.source), \(payload.id), \(score.version), \(initiativeID), \(score.language), \(score.languageConfidence),
                        \(sentiment?.neg), \(sentiment?.neu), \(sentiment?.pos), \(sentiment?.compound),
                        \(PostgresJSON(score.keyphrases)), \(PostgresJSON(score.themes)))
                ON CONFLICT (source, source_id, scorer_version) DO UPDATE SET
                    language = excluded.language, language_confidence = excluded.language_confidence,
                    neg = excluded.neg, neu = excluded.neu, pos = excluded.pos,
                    compound = excluded.compound, keyphrases = excluded.keyphrases, themes = excluded.themes,
                    times_scored = text_scores.times_scored + 1, scored_at = now()
                """
            )
            let mark: PostgresQuery =
                payload.source == "feedback"
                ? "UPDATE feedback SET scoring_state = 'scored' WHERE id = \(payload.id)"
                : "UPDATE answers SET scoring_state = 'scored' WHERE id = \(payload.id)"
            try await db.query(mark)
            try await CaseRouting.afterScoring(
                source: payload.source,
                id: payload.id,
                text: text,
                themes: score.themes.map(\.theme),
                compound: sentiment?.compound,
                on: db
            )
        }
    }

    /// Enqueues scoring for texts that have no score with the current version (or every text
    /// with `all`), optionally only one initiative's or those since a date. Returns how many.
    public static func enqueueRescore(initiativeID: Int64?, since: Date?, all: Bool, on client: PostgresClient) async throws -> Int {
        try await client.withTransaction { try await enqueueRescore(initiativeID: initiativeID, since: since, all: all, on: $0) }
    }

    /// The same in the caller's transaction.
    public static func enqueueRescore(initiativeID: Int64?, since: Date?, all: Bool, on db: PostgresConnection) async throws -> Int {
        let version = TextScorer.version
        let wanted = try await db.query(
            """
            SELECT 'feedback', f.id FROM feedback f
            WHERE (\(initiativeID)::bigint IS NULL OR f.initiative_id = \(initiativeID))
              AND (\(since)::timestamptz IS NULL OR f.created_at >= \(since))
              AND (\(all) OR NOT EXISTS (SELECT 1 FROM text_scores s WHERE s.source = 'feedback' AND s.source_id = f.id AND s.scorer_version = \(version)))
            UNION ALL
            SELECT 'answer', a.id FROM answers a JOIN responses r ON r.id = a.response_id
            WHERE a.text IS NOT NULL AND (\(initiativeID)::bigint IS NULL OR r.initiative_id = \(initiativeID))
              AND (\(since)::timestamptz IS NULL OR r.submitted_at >= \(since))
              AND (\(all) OR NOT EXISTS (SELECT 1 FROM text_scores s WHERE s.source = 'answer' AND s.source_id = a.id AND s.scorer_version = \(version)))
            """
        ).map { Payload(source: try $0.decode(String.self, at: 0), id: try $0.decode(Int64.self, at: 1)) }
        return try await JobQueue().pushMany(kind: kind, payloads: wanted, uniqueKey: uniqueKey, on: db)
    }

    static func uniqueKey(_ payload: Payload) -> String { "\(kind):\(payload.source):\(payload.id)" }
}
