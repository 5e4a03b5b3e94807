import Foundation

/// Where a scorecard's numbers come from: the records (`RecordSource`, the reference) or the
/// rollups (`RollupSource`, whole-day periods without a group filter). Each answers the same
/// questions for a query; `Scorecards` composes the answers into scorecards and the list, so the
/// composition (suppression, index, medians) is one piece of code, tested without a database.
/// Measures that a list needs for every initiative take the initiatives at once (0 = the
/// district), which lets the rollups answer the whole list with one query per measure.
protocol ScorecardSource: Sendable {
    func totals(_ q: ScorecardQuery, initiatives: [Int64]) async throws -> [Int64: Scorecards.Totals]
    /// Enrollment of the schools in scope: the school, the cluster, or (no school filter) the
    /// schools the initiative's activity touched; for the whole district, every school.
    func enrollment(_ q: ScorecardQuery, initiatives: [Int64]) async throws -> [Int64: Int]
    func overallSentiment(_ q: ScorecardQuery, initiatives: [Int64]) async throws -> [Int64: Scorecards.SentimentCounts]
    /// The query's initiative's sentiment, overall ("all") and per language.
    func sentiment(_ q: ScorecardQuery) async throws -> [Scorecards.SentimentCounts]
    /// Top 10 themes or keyphrases with the previous period's count and example comment ids.
    func topics(_ q: ScorecardQuery, _ kind: Scorecards.TopicKind) async throws -> [Scorecard.Topic]
    func weekly(_ q: ScorecardQuery) async throws -> [Scorecard.Week]
    /// Every school in scope with its people for the query (0 when none).
    func peoplePerSchool(_ q: ScorecardQuery) async throws -> [Scorecards.SchoolPeople]
}

extension Scorecards {
    struct Totals: Equatable {
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

    /// Scored texts and their shares, before suppression.
    struct SentimentCounts: Equatable {
        var language: String
        var scored: Int
        var mean: Double?
        var positive: Double?
        var neutral: Double?
        var negative: Double?
        /// Texts in a language without a sentiment model (0 where the source does not count them).
        var notScored = 0
    }

    enum TopicKind: String {
        case themes, keyphrases
        /// The key of one item in `text_scores`' JSON arrays.
        var key: String { self == .themes ? "theme" : "phrase" }
    }

    struct SchoolPeople: Equatable {
        var id: Int64
        var code: String
        var name: String
        var cluster: String
        var enrollment: Int
        var people: Int
    }
}
