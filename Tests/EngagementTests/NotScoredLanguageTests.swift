import Engagement
import Foundation
import Postgres
import PostgresTesting
import Scoring
import Testing

/// Issue 13, A6: a French comment is stored as `fr`, not scored for sentiment, counted in voice,
/// and the scorecard reports how many texts per language were not scored.
@Suite("Texts in languages without a sentiment model (integration)")
struct NotScoredLanguageTests {
    @Test func frenchCommentsAreCountedInVoiceAndNotInSentiment() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            try await db.query("UPDATE district_settings SET time_zone = 'UTC', languages = '{en,es,fr}'")
            try await db.query("INSERT INTO schools (code, name, cluster, level, enrollment) VALUES ('A', 'A', 'North', 'high', 100)")
            try await db.query(#"INSERT INTO initiatives (slug, title) VALUES ('tech', '{"en": "Technology"}')"#)
            let comments =
                (1...10).map { ("Les nouveaux ordinateurs sont très bien, mais la connexion est trop lente \($0)", "fr") }
                + [("The new laptops are great, thank you!", "en")]
            var ids: [Int64] = []
            for (comment, language) in comments {
                let receipt = try await db.withTransaction {
                    try await Submissions().submitFeedback(
                        .init(initiativeID: 1, schoolID: 1, group: .families, language: language, comment: comment, contact: nil),
                        on: $0
                    )
                }
                ids.append(receipt.id)
            }
            let scoring = try TextScoring(database: db)
            for id in ids { try await scoring.score(.init(source: "feedback", id: id)) }
            try await Rollups(database: db).refreshPending()

            let stored = try await db.query("SELECT language, compound IS NULL FROM text_scores WHERE source_id = \(ids[0])").one()
            #expect(try stored.decode(String.self, at: 0) == "fr" && stored.decode(Bool.self, at: 1))
            let page = try await db.withConnection {
                try await Submissions().feedback(
                    ListFilter(initiativeID: 1, schoolID: nil, group: nil, from: nil, to: nil, cursor: nil, limit: 50),
                    on: $0
                )
            }
            let french = try #require(page.items.first { $0.id == ids[0] })
            #expect(french.score?.language == "fr" && french.score?.sentimentScored == false && french.scoringState == "scored")

            let from = try #require(ISO8601DateFormatter().date(from: "2026-08-01T00:00:00Z"))
            let query = ScorecardQuery(initiativeID: 1, from: from, to: from.addingTimeInterval(366 * 86_400), clock: DistrictClock(timeZone: .gmt))
            for source in [Scorecards.Source.rollups, .records] {
                let card = try await db.withConnection { try await Scorecards(source: source).scorecard(query, on: $0) }
                #expect(card.voice.feedback == 11, "\(source)")
                #expect(card.sentiment.overall.scored == 1 && card.sentiment.overall.notScored == 10, "\(source)")
                let fr = try #require(card.sentiment.byLanguage.first { $0.language == "fr" })
                #expect(fr.scored == 0 && fr.notScored == 10 && fr.meanCompound == nil && fr.suppressed, "\(source)")
                // The JSON staff read says it too.
                let json = try JSONSerialization.jsonObject(with: try Scorecard.encoder.encode(card)) as? [String: Any]
                let languages = (json?["sentiment"] as? [String: Any])?["by_language"] as? [[String: Any]] ?? []
                let entry = languages.first { $0["language"] as? String == "fr" }
                #expect(entry?["not_scored"] as? Int == 10 && entry?["scored"] as? Int == 0, "\(languages)")
            }
        }
    }
}
