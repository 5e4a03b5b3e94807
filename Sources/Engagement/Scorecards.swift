import Foundation
import Postgres
import Scoring

/// Scorecards (see `docs/scorecard.md` for every definition): composed here from the answers of
/// a `ScorecardSource`, the rollups where they answer the query and the records otherwise.
public struct Scorecards: Sendable {
    /// District defaults for targets an initiative does not set; per school year.
    public static let defaultTargets = Targets(reachPer100: 20, voicePer100: 10, participationRate: 0.7, volunteerHours: 100)

    /// Where the numbers come from: the rollups where they answer (the default), or always the
    /// records (the reference the rollups are tested against).
    public enum Source: Sendable { case rollups, records }
    public var source: Source

    public init(source: Source = .rollups) {
        self.source = source
    }

    /// Rollups are per local day and school: they answer whole-day periods (local midnights)
    /// without a stakeholder group filter; anything else is computed from the records.
    public func usesRollups(_ q: ScorecardQuery) -> Bool {
        source == .rollups && q.group == nil && q.clock.isMidnight(q.from) && q.clock.isMidnight(q.to)
    }

    func source(for q: ScorecardQuery, on db: PostgresConnection) -> any ScorecardSource {
        usesRollups(q) ? RollupSource(db: db) : RecordSource(db: db)
    }

    public func scorecard(_ query: ScorecardQuery, on db: PostgresConnection) async throws -> Scorecard {
        let query = try await onDistrictClock(query, on: db)
        try await validate(query, on: db)
        let initiative = try await query.initiativeID.asyncMap { try await ReferenceData().initiative(id: $0, on: db) }
        var card = try await Self.scorecard(query, initiative: initiative, from: source(for: query, on: db))
        if let id = query.initiativeID { card.surveys = try await surveys(initiative: id, query, on: db) }
        card.responsiveness = try await Responsiveness.compute(query, on: db)
        return card
    }

    /// The initiative's published surveys whose window meets the period, earliest first.
    func surveys(initiative: Int64, _ q: ScorecardQuery, on db: PostgresConnection) async throws -> [Scorecard.SurveyLink] {
        try await db.query(
            """
            SELECT id, title, opens_at, closes_at FROM surveys
            WHERE initiative_id = \(initiative) AND published_at IS NOT NULL
                AND opens_at < \(q.to) AND (closes_at IS NULL OR closes_at > \(q.from))
            ORDER BY opens_at, id
            """
        ).map { row in
            let (id, title, opens, closes) = try row.decode((Int64, PostgresJSON<Translated>, Date, Date?).self)
            return .init(id: id, title: title.value, opensAt: opens, closesAt: closes, results: "/api/v1/surveys/\(id)/results")
        }
    }

    /// A scorecard from a source's answers: suppression, the index, the equity median.
    static func scorecard(_ query: ScorecardQuery, initiative: Initiative?, from source: any ScorecardSource) async throws -> Scorecard {
        let id = query.initiativeID ?? 0
        let sentiment = try await sentiment(source.sentiment(query))
        let summary = summary(
            query,
            initiative: initiative,
            current: try await source.totals(query, initiatives: [id])[id] ?? Totals(),
            previous: try await source.totals(query.previous, initiatives: [id])[id] ?? Totals(),
            enrolled: try await source.enrollment(query, initiatives: [id])[id] ?? 0,
            previousEnrolled: try await source.enrollment(query.previous, initiatives: [id])[id] ?? 0,
            sentiment: sentiment.overall
        )
        return Scorecard(
            summary: summary,
            sentiment: sentiment,
            themes: try await source.topics(query, .themes),
            keyphrases: try await source.topics(query, .keyphrases),
            weekly: try await source.weekly(query),
            equity: equity(try await source.peoplePerSchool(query))
        )
    }

    /// Every initiative's headline numbers for the same period and filters, by index (highest
    /// first unless `ascending`). From the rollups this is one query per measure for all of them.
    public func all(_ query: ScorecardQuery, ascending: Bool = false, on db: PostgresConnection) async throws -> [ScorecardSummary] {
        let query = try await onDistrictClock(query, on: db)
        try await validate(query, on: db)
        let initiatives = try await ReferenceData().allInitiatives(on: db)
        return try await Self.list(query, initiatives: initiatives, ascending: ascending, from: source(for: query, on: db))
    }

    static func list(
        _ query: ScorecardQuery,
        initiatives: [Initiative],
        ascending: Bool,
        from source: any ScorecardSource
    ) async throws -> [ScorecardSummary] {
        let ids = initiatives.map(\.id)
        let current = try await source.totals(query, initiatives: ids)
        let previous = try await source.totals(query.previous, initiatives: ids)
        let enrolled = try await source.enrollment(query, initiatives: ids)
        let previousEnrolled = try await source.enrollment(query.previous, initiatives: ids)
        let sentiment = try await source.overallSentiment(query, initiatives: ids)
        let summaries = initiatives.map { initiative in
            var one = query
            one.initiativeID = initiative.id
            return summary(
                one,
                initiative: initiative,
                current: current[initiative.id] ?? Totals(),
                previous: previous[initiative.id] ?? Totals(),
                enrolled: enrolled[initiative.id] ?? 0,
                previousEnrolled: previousEnrolled[initiative.id] ?? 0,
                sentiment: slice(sentiment[initiative.id] ?? SentimentCounts(language: "all", scored: 0))
            )
        }
        return summaries.sorted {
            $0.index.value == $1.index.value
                ? ($0.initiative?.id ?? 0) < ($1.initiative?.id ?? 0)
                : (ascending ? $0.index.value < $1.index.value : $0.index.value > $1.index.value)
        }
    }

    /// The query on the clock the rollups were counted on, whatever the caller assumed.
    func onDistrictClock(_ query: ScorecardQuery, on db: PostgresConnection) async throws -> ScorecardQuery {
        var query = query
        query.clock = try await DistrictClock.current(on: db)
        return query
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
    static func summary(
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

    /// Overall ("all") and per-language cells from a source's counts.
    static func sentiment(_ counts: [SentimentCounts]) -> Scorecard.Sentiment {
        var slices = counts.map(slice)
        let overall = slices.first(where: { $0.language == "all" }) ?? slice(SentimentCounts(language: "all", scored: 0))
        slices.removeAll(where: { $0.language == "all" })
        return .init(overall: overall, byLanguage: slices)
    }

    /// A sentiment cell, suppressed under `Scorecard.minimumCell` scored texts.
    static func slice(_ counts: SentimentCounts) -> Scorecard.SentimentSlice {
        let suppressed = counts.scored < Scorecard.minimumCell
        func cell(_ value: Double?) -> Double? { suppressed ? nil : value.map(Self.rounded) }
        return .init(
            language: counts.language,
            scored: counts.scored,
            meanCompound: cell(counts.mean),
            positiveShare: cell(counts.positive),
            neutralShare: cell(counts.neutral),
            negativeShare: cell(counts.negative),
            // A count of texts too, suppressed under the minimum cell like every other count.
            notScored: (1..<Scorecard.minimumCell).contains(counts.notScored) ? nil : counts.notScored,
            suppressed: suppressed
        )
    }

    /// Participants per 100 enrolled for each school in scope (every school of the district, the
    /// cluster, or the one school), against the median over schools with at least 10 participants.
    static func equity(_ schools: [SchoolPeople]) -> Scorecard.Equity {
        var cells: [Scorecard.SchoolCell] = schools.map { school in
            let suppressed = school.people < Scorecard.minimumCell
            return .init(
                schoolID: school.id,
                code: school.code,
                name: school.name,
                cluster: school.cluster,
                enrollment: school.enrollment,
                participants: suppressed ? nil : school.people,
                per100Enrolled: suppressed || school.enrollment == 0 ? nil : Self.rounded(Double(school.people) * 100 / Double(school.enrollment)),
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
