import Foundation
import Testing

@testable import Engagement

/// Scorecards composed from a `ScorecardSource` held in memory: suppression of small cells, the
/// index against the period before, the equity median, the list's order, and which source a
/// query is answered from, all without PostgreSQL (issue 12, A6).
@Suite("Scorecards from a source (pure)")
struct ScorecardSourceTests {
    static let from = Date(timeIntervalSince1970: 1_788_220_800)  // 2026-09-01, midnight UTC
    static let query = ScorecardQuery(
        initiativeID: 1,
        from: from,
        to: from.addingTimeInterval(30 * 86_400),
        clock: DistrictClock(timeZone: .gmt)
    )

    /// Fixed answers: initiative 1 busy, 2 quiet (under every suppression threshold).
    struct Fixed: ScorecardSource {
        func totals(_ q: ScorecardQuery, initiatives: [Int64]) async throws -> [Int64: Scorecards.Totals] {
            let current = q.from == ScorecardSourceTests.from
            var busy = Scorecards.Totals(participants: current ? 49 : 20, responses: 20, feedback: 5, events: 2, attendance: 22, capacity: 50)
            busy.approvedHours = 3
            busy.meanCompound = 2.0 / 13
            let quiet = Scorecards.Totals(participants: 3, responses: 2, feedback: 1)
            return Dictionary(uniqueKeysWithValues: initiatives.map { ($0, $0 == 1 ? busy : quiet) })
        }

        func enrollment(_ q: ScorecardQuery, initiatives: [Int64]) async throws -> [Int64: Int] {
            Dictionary(uniqueKeysWithValues: initiatives.map { ($0, 350) })
        }

        func overallSentiment(_ q: ScorecardQuery, initiatives: [Int64]) async throws -> [Int64: Scorecards.SentimentCounts] {
            [1: .init(language: "all", scored: 13, mean: 2.0 / 13, positive: 0.5, neutral: 0.25, negative: 0.25)]
        }

        func sentiment(_ q: ScorecardQuery) async throws -> [Scorecards.SentimentCounts] {
            [
                .init(language: "all", scored: 13, mean: 2.0 / 13, positive: 0.5, neutral: 0.25, negative: 0.25),
                .init(language: "en", scored: 10, mean: 0.2, positive: 0.6, neutral: 0.2, negative: 0.2),
                .init(language: "es", scored: 3, mean: -0.5, positive: 0, neutral: 0, negative: 1),
            ]
        }

        func topics(_ q: ScorecardQuery, _ kind: Scorecards.TopicKind) async throws -> [Scorecard.Topic] {
            [.init(name: kind == .themes ? "wifi" : "slow wifi", count: 4, previousCount: 1, exampleFeedbackIDs: [9, 7])]
        }

        func weekly(_ q: ScorecardQuery) async throws -> [Scorecard.Week] {
            [.init(weekStart: "2026-08-31", responses: 20, feedback: 5, attendance: 22, approvedHours: 3)]
        }

        func peoplePerSchool(_ q: ScorecardQuery) async throws -> [Scorecards.SchoolPeople] {
            [
                .init(id: 1, code: "A", name: "A", cluster: "North", enrollment: 100, people: 40),
                .init(id: 2, code: "B", name: "B", cluster: "North", enrollment: 100, people: 30),
                .init(id: 3, code: "C", name: "C", cluster: "South", enrollment: 200, people: 20),
                .init(id: 4, code: "D", name: "D", cluster: "South", enrollment: 50, people: 4),
            ]
        }
    }

    static func initiative(_ id: Int64) -> Initiative {
        Initiative(
            id: id,
            slug: "i\(id)",
            title: Translated(["en": "Initiative \(id)"]),
            description: Translated(),
            goalID: nil,
            status: "active",
            startsOn: nil,
            endsOn: nil,
            themeKeywords: [],
            targets: Targets(reachPer100: 200, voicePer100: 100, participationRate: 0.5, volunteerHours: 100)
        )
    }

    @Test func aScorecardComposesTheSourcesAnswers() async throws {
        let card = try await Scorecards.scorecard(Self.query, initiative: Self.initiative(1), from: Fixed())
        // The worked example of docs/scorecard.md (the same inputs as EngagementIndexTests).
        #expect(abs(card.index.value - 74.66) < 0.01)
        #expect(try #require(card.index.previous) < card.index.value)  // 20 people before, 49 now
        #expect(card.reach.participants == 49)
        #expect(card.reach.per100Enrolled == 14)
        #expect(card.voice.per100Enrolled == Scorecards.rounded(2500.0 / 350))
        #expect(card.participation.fillRate == 0.44)
        // Sentiment cells under 10 scored texts are suppressed, never zero.
        #expect(card.sentiment.overall.meanCompound == Scorecards.rounded(2.0 / 13))
        #expect(card.sentiment.byLanguage.map(\.language) == ["en", "es"])
        #expect(card.sentiment.byLanguage[1].suppressed && card.sentiment.byLanguage[1].meanCompound == nil)
        #expect(card.themes.map(\.name) == ["wifi"] && card.keyphrases.map(\.name) == ["slow wifi"])
        // Equity: D (4 people) is suppressed and left out of the median of 40, 30 and 10 per 100.
        #expect(card.equity.districtMedianPer100 == 30)
        #expect(card.equity.schools.map(\.suppressed) == [false, false, false, true])
        #expect(card.equity.schools.map(\.belowHalfMedian) == [false, false, true, nil])
    }

    @Test func aListIsSortedByIndexWithSmallCellsSuppressed() async throws {
        let list = try await Scorecards.list(Self.query, initiatives: [Self.initiative(2), Self.initiative(1)], ascending: false, from: Fixed())
        #expect(list.map(\.initiative?.id) == [1, 2])
        #expect(list[1].reach.suppressed && list[1].reach.participants == nil)
        #expect(list[1].sentiment.suppressed && list[1].sentiment.scored == 0)
        let ascending = try await Scorecards.list(Self.query, initiatives: [Self.initiative(1), Self.initiative(2)], ascending: true, from: Fixed())
        #expect(ascending.map(\.initiative?.id) == [2, 1])
    }

    @Test func theRollupsAnswerWholeDaysWithoutAGroupFilter() {
        let rollups = Scorecards(source: .rollups)
        #expect(rollups.usesRollups(Self.query))
        var withGroup = Self.query
        withGroup.group = .families
        #expect(!rollups.usesRollups(withGroup))
        let midday = ScorecardQuery(
            initiativeID: 1,
            from: Self.from.addingTimeInterval(3600),
            to: Self.from.addingTimeInterval(86_400),
            clock: DistrictClock(timeZone: .gmt)
        )
        #expect(!rollups.usesRollups(midday))
        #expect(!Scorecards(source: .records).usesRollups(Self.query))
        var bySchool = Self.query
        bySchool.schoolID = 3
        #expect(rollups.usesRollups(bySchool) && RollupSource.bySchool(bySchool) && !RollupSource.bySchool(Self.query))
    }
}
