/// The engagement index v1 (docs/scorecard.md): each component's raw value against its target
/// (count targets prorated to the period's share of a school year), normalized to 0–100 and
/// capped there, then weighted. Pure: computed from numbers, never from the database.
/// Its version is `Scorecard.indexVersion`.
public struct EngagementIndex: Sendable, Equatable {
    /// The components, in the order they are shown, with their weights (summing to 1).
    public enum Component: String, CaseIterable, Sendable {
        case reach, voice, participation, volunteering, sentiment

        public var weight: Double {
            switch self {
            case .reach: 0.30
            case .voice: 0.20
            case .participation: 0.20
            case .volunteering: 0.15
            case .sentiment: 0.15
            }
        }
    }

    /// What the index is computed from, for one scope and period.
    public struct Inputs: Sendable, Equatable {
        public var participants: Int
        /// Survey responses plus comments.
        public var voice: Int
        public var enrolled: Int
        public var fillRate: Double?
        public var approvedHours: Double
        public var meanCompound: Double?

        public init(participants: Int, voice: Int, enrolled: Int, fillRate: Double?, approvedHours: Double, meanCompound: Double?) {
            self.participants = participants
            self.voice = voice
            self.enrolled = enrolled
            self.fillRate = fillRate
            self.approvedHours = approvedHours
            self.meanCompound = meanCompound
        }
    }

    public let value: Double
    public let components: [Scorecard.Component]

    /// `targets` an initiative leaves unset are the district's (`Scorecards.defaultTargets`);
    /// `years` is the period's length in school years.
    public init(_ inputs: Inputs, targets: Targets, years: Double) {
        let defaults = Scorecards.defaultTargets
        let per100 = { (count: Int) -> Double? in inputs.enrolled > 0 ? Double(count) * 100 / Double(inputs.enrolled) : nil }
        var components: [Scorecard.Component] = []
        var value = 0.0
        for component in Component.allCases {
            let raw: Double?
            let target: Double
            switch component {
            case .reach: (raw, target) = (per100(inputs.participants), (targets.reachPer100 ?? defaults.reachPer100 ?? 0) * years)
            case .voice: (raw, target) = (per100(inputs.voice), (targets.voicePer100 ?? defaults.voicePer100 ?? 0) * years)
            case .participation: (raw, target) = (inputs.fillRate, targets.participationRate ?? defaults.participationRate ?? 0)
            case .volunteering: (raw, target) = (inputs.approvedHours, (targets.volunteerHours ?? defaults.volunteerHours ?? 0) * years)
            case .sentiment: (raw, target) = (inputs.meanCompound, 1)
            }
            let normalized: Double
            if component == .sentiment {
                // (mean compound + 1) / 2; no scored text counts as neutral.
                normalized = min(100, ((raw ?? 0) + 1) / 2 * 100)
            } else {
                normalized = target > 0 ? min(100, (raw ?? 0) / target * 100) : 0
            }
            let points = normalized * component.weight
            value += points
            components.append(
                .init(
                    name: component.rawValue,
                    raw: raw.map(Scorecards.rounded),
                    target: Scorecards.rounded(target),
                    normalized: Scorecards.rounded(normalized),
                    weight: component.weight,
                    points: Scorecards.rounded(points)
                )
            )
        }
        self.value = Scorecards.rounded(value)
        self.components = components
    }
}
