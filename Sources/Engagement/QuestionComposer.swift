import Foundation

/// One question's results: its cells put through `Disclosure` (the whole, each slice, and the
/// relations between them), then the statistics of every distribution whose answered count shows.
struct QuestionComposer {
    let question: Question
    let counts: ResultsComposer.Counts
    let keys: [String]
    /// Responses per slice ("" the whole) as published, nil where hidden.
    let responses: [String: Int?]
    let wordings: [Int: Translated]
    let topics: [TopicRow]

    /// The values a question's answers count under, in the order shown.
    var values: [String] {
        switch question.kind {
        case .likert5: return (1...5).map(String.init)
        case .rating0to10: return (0...10).map(String.init)
        case .text: return ["positive", "neutral", "negative", "unscored"]
        case .choice, .multiChoice:
            let defined = question.choices.map(\.value)
            // Values of choices since removed from the wording still count where they were given.
            let seen = Set(([""] + keys).flatMap { counts.byValue[question.id]?[$0]?.keys.map { $0 } ?? [] })
            return defined + seen.subtracting(defined + [""]).sorted()
        }
    }

    /// The groups whose counts are published with the points: top-2 box, or the NPS groups.
    var groups: [(name: String, values: [String])] {
        switch question.kind {
        case .likert5: return [("top2", ["4", "5"])]
        case .rating0to10 where question.recommendation:
            return [("promoters", ["9", "10"]), ("passives", ["7", "8"]), ("detractors", (0...6).map(String.init))]
        default: return []
        }
    }

    /// Cell indexes of one distribution.
    struct Layout {
        var answered: Int
        var points: [Int]
        var groups: [Int]
    }

    func results(previous: (survey: Survey, counts: ResultsComposer.Counts)?) -> QuestionResults {
        let values = values
        let groups = groups
        var disclosure = Disclosure()
        let slices = [""] + keys
        var layouts: [Layout] = []
        for slice in slices {
            let answered = counts.count(question.id, slice, "").n
            let layout = Layout(
                answered: disclosure.cell(answered),
                points: values.map { disclosure.cell(counts.count(question.id, slice, $0).n) },
                groups: groups.map { group in disclosure.cell(group.values.map { counts.count(question.id, slice, $0).n }.reduce(0, +)) }
            )
            if question.kind != .multiChoice { disclosure.relate(total: layout.answered, parts: layout.points) }
            for (index, group) in groups.enumerated() {
                disclosure.relate(total: layout.groups[index], parts: group.values.compactMap { values.firstIndex(of: $0) }.map { layout.points[$0] })
            }
            // Under the minimum the slice shows nothing but that: zeros beside it would say
            // what its few respondents answered.
            if answered > 0 && answered < Disclosure.minimumCell {
                for cell in [layout.answered] + layout.points + layout.groups { disclosure.hide(cell) }
            }
            layouts.append(layout)
        }
        if !keys.isEmpty {
            let whole = layouts[0]
            let parts = layouts.dropFirst()
            disclosure.relate(total: whole.answered, parts: parts.map(\.answered))
            for index in whole.points.indices { disclosure.relate(total: whole.points[index], parts: parts.map { $0.points[index] }) }
            for index in whole.groups.indices { disclosure.relate(total: whole.groups[index], parts: parts.map { $0.groups[index] }) }
        }
        let versionCounts = (counts.byVersion[question.id] ?? [:]).sorted { $0.key < $1.key }
        let versionCells = versionCounts.count > 1 ? versionCounts.map { disclosure.cell($0.value) } : []
        disclosure.relate(total: layouts[0].answered, parts: versionCells)
        let hidden = disclosure.hidden()
        func shown(_ cell: Int) -> Int? { hidden.contains(cell) ? nil : disclosure.counts[cell] }

        func figures(_ slice: String, _ layout: Layout) -> Figures {
            let distribution = values.map { counts.count(question.id, slice, $0) }
            return Self.figures(
                kind: question.kind,
                recommendation: question.recommendation,
                values: values,
                distribution: distribution.map(\.n),
                compound: distribution.map(\.compound).reduce(0, +),
                answered: shown(layout.answered),
                // Skipping says nothing of what anyone answered: shown when both counts show.
                skipped: shown(layout.answered).flatMap { answered in (responses[slice] ?? nil).map { $0 - answered } },
                points: layout.points.map(shown),
                groups: layout.groups.map(shown)
            )
        }
        let overall = figures("", layouts[0])
        return QuestionResults(
            id: question.id,
            position: question.position,
            kind: question.kind.rawValue,
            prompt: question.prompt,
            recommendation: question.recommendation,
            overall: overall,
            slices: keys.isEmpty ? nil : zip(keys, layouts.dropFirst()).map { .init(key: $0, figures: figures($0, $1)) },
            versions: versionCells.isEmpty
                ? nil
                : zip(versionCounts, versionCells).map { entry, cell in
                    .init(version: entry.key, prompt: wordings[entry.key] ?? question.prompt, answered: shown(cell))
                },
            themes: question.kind == .text ? topTopics(.themes) : nil,
            keyphrases: question.kind == .text ? topTopics(.keyphrases) : nil,
            previous: previous.flatMap { trend(overall, $0) }
        )
    }

    func topTopics(_ kind: Scorecards.TopicKind) -> [Topic] {
        topics.filter { $0.kind == kind && $0.mentions >= Disclosure.minimumCell }
            .sorted { $0.mentions == $1.mentions ? $0.name < $1.name : $0.mentions > $1.mentions }
            .prefix(5).map { Topic(name: $0.name, mentions: $0.mentions, examples: $0.examples) }
    }

    /// The figures of one distribution: the counts as disclosed, the statistics when its
    /// answered count shows (computed from every answer).
    static func figures(
        kind: QuestionKind,
        recommendation: Bool,
        values: [String],
        distribution: [Int],
        compound: Double,
        answered: Int?,
        skipped: Int?,
        points: [Int?],
        groups: [Int?]
    ) -> Figures {
        let round = ResultsComposer.round
        var figures = Figures(
            answered: answered,
            skipped: skipped,
            points: zip(values, points).map { value, count in
                Point(value: value, count: count, share: count.flatMap { n in answered.map { round(Double(n) / Double(max($0, 1)), 3) } })
            }
        )
        guard let answered, answered > 0 else { return figures }
        switch kind {
        case .likert5, .rating0to10:
            let stats = Statistics(values: values.compactMap(Double.init), counts: distribution)
            figures.mean = round(stats.mean, 2)
            if let half = stats.halfWidth {
                figures.meanLow = round(stats.mean - half, 2)
                figures.meanHigh = round(stats.mean + half, 2)
            }
            if kind == .likert5, let top2 = groups.first ?? nil { figures.top2Share = round(Double(top2) / Double(answered), 3) }
            if kind == .rating0to10, recommendation, groups.count == 3, let promoters = groups[0], let passives = groups[1],
                let detractors = groups[2]
            {
                let nps = Statistics.nps(promoters: promoters, passives: passives, detractors: detractors)
                figures.nps = NPS(
                    score: round(nps.score, 1),
                    margin: round(nps.margin, 1),
                    promoters: round(Double(promoters) / Double(answered), 3),
                    passives: round(Double(passives) / Double(answered), 3),
                    detractors: round(Double(detractors) / Double(answered), 3)
                )
            }
        case .text:
            // Scored = answered less unscored: shown only when unscored shows.
            if let unscored = points.last ?? nil {
                let scored = answered - unscored
                figures.sentiment = TextSentiment(
                    scored: scored,
                    meanCompound: scored >= Disclosure.minimumCell ? round(compound / Double(scored), 3) : nil
                )
            }
        case .choice, .multiChoice:
            break
        }
        return figures
    }

    /// The earlier wave's headline beside this one's, when the question links to it.
    func trend(_ current: Figures, _ previous: (survey: Survey, counts: ResultsComposer.Counts)) -> Trend? {
        guard let earlierID = question.previousQuestionID, let earlier = previous.survey.questions.first(where: { $0.id == earlierID }),
            earlier.kind == question.kind
        else { return nil }
        let before = previous.counts
        let answered = before.count(earlierID, "", "").n
        let values = values
        let now = values.map { counts.count(question.id, "", $0).n }
        let then = values.map { before.count(earlierID, "", $0).n }
        var trend = Trend(
            surveyId: previous.survey.id,
            questionId: earlierID,
            measure: "",
            answered: answered >= Disclosure.minimumCell ? answered : nil
        )
        let nowAnswered = counts.count(question.id, "", "").n
        // Each headline with its standard error.
        func headline(_ distribution: [Int], _ n: Int) -> (Double, Double)? {
            guard n >= Disclosure.minimumCell else { return nil }
            switch question.kind {
            case .rating0to10 where !question.recommendation, .likert5:
                let stats = Statistics(values: values.compactMap(Double.init), counts: distribution)
                return (stats.mean, stats.standardError ?? 0)
            case .rating0to10:
                let promoters = distribution[9] + distribution[10]
                let passives = distribution[7] + distribution[8]
                let nps = Statistics.nps(promoters: promoters, passives: passives, detractors: n - promoters - passives)
                return (nps.score, nps.margin / 1.96)
            case .choice, .multiChoice:
                guard let top = now.indices.max(by: { now[$0] < now[$1] }) else { return nil }
                let share = Double(distribution[top]) / Double(n)
                return (share, (share * (1 - share) / Double(n)).squareRoot())
            case .text:
                return nil
            }
        }
        switch question.kind {
        case .likert5: trend.measure = "mean"
        case .rating0to10: trend.measure = question.recommendation ? "nps" : "mean"
        case .choice, .multiChoice:
            trend.measure = "share:" + (now.indices.max { now[$0] < now[$1] }.map { values[$0] } ?? "")
        case .text: trend.measure = "answered"
        }
        if question.kind == .text {
            trend.previous = trend.answered.map(Double.init)
            trend.current = current.answered.map(Double.init)
            return trend
        }
        guard let earlierFigure = headline(then, answered) else { return trend }
        trend.previous = ResultsComposer.round(earlierFigure.0, 3)
        guard current.answered != nil, let nowFigure = headline(now, nowAnswered) else { return trend }
        trend.current = ResultsComposer.round(nowFigure.0, 3)
        let change = nowFigure.0 - earlierFigure.0
        trend.change = ResultsComposer.round(change, 3)
        trend.beyondMargin = abs(change) > 1.96 * (earlierFigure.1 * earlierFigure.1 + nowFigure.1 * nowFigure.1).squareRoot()
        return trend
    }
}
