import Engagement
import Testing

/// The engagement index as a pure value (issue 12): docs/scorecard.md's worked example, without
/// a database.
@Suite("Engagement index v1 (pure)")
struct EngagementIndexTests {
    static let example = EngagementIndex.Inputs(
        participants: 49,
        voice: 25,
        enrolled: 350,
        fillRate: 0.44,
        approvedHours: 3,
        meanCompound: 2.0 / 13
    )
    static let targets = Targets(reachPer100: 200, voicePer100: 100, participationRate: 0.5, volunteerHours: 100)

    @Test func theWorkedExampleOfTheDocs() {
        let index = EngagementIndex(Self.example, targets: Self.targets, years: 30.0 / 365)
        let points = Dictionary(uniqueKeysWithValues: index.components.map { ($0.name, $0.points) })
        #expect(index.components.map(\.name) == ["reach", "voice", "participation", "volunteering", "sentiment"])
        #expect(abs((points["reach"] ?? 0) - 25.55) < 0.01)
        #expect(abs((points["voice"] ?? 0) - 17.38) < 0.01)
        #expect(abs((points["participation"] ?? 0) - 17.60) < 0.01)
        #expect(abs((points["volunteering"] ?? 0) - 5.48) < 0.01)
        #expect(abs((points["sentiment"] ?? 0) - 8.65) < 0.01)
        #expect(abs(index.value - 74.66) < 0.01)
    }

    @Test func weightsSumToOneAndScoresAreCappedAndDefaulted() {
        #expect(abs(EngagementIndex.Component.allCases.map(\.weight).reduce(0, +) - 1) < 1e-12)
        // Far over every target: each component is capped at 100, so the index is 100.
        let busy = EngagementIndex.Inputs(participants: 10_000, voice: 10_000, enrolled: 100, fillRate: 3, approvedHours: 1e6, meanCompound: 1)
        #expect(EngagementIndex(busy, targets: Targets(), years: 1).value == 100)
        // Nothing at all, no enrollment: only sentiment's neutral half counts (15 × 0.5).
        let none = EngagementIndex.Inputs(participants: 0, voice: 0, enrolled: 0, fillRate: nil, approvedHours: 0, meanCompound: nil)
        #expect(EngagementIndex(none, targets: Targets(), years: 1).value == 7.5)
        // Unset targets are the district's: 20 per 100 a year for reach.
        let reach = EngagementIndex.Inputs(participants: 10, voice: 0, enrolled: 100, fillRate: nil, approvedHours: 0, meanCompound: nil)
        #expect(EngagementIndex(reach, targets: Targets(), years: 1).components.first?.normalized == 50)
    }
}
