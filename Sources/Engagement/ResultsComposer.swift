import Foundation

/// Respondents counted under one value of one question (question 0, value "": the survey's
/// responses; value "": the question's answered count), in one slice ("" without a breakdown).
/// The rollups and the records both answer with these; `ResultsComposer` makes the results.
struct AnswerCell: Sendable, Equatable {
    var questionID: Int64
    var version: Int
    var slice: String
    var value: String
    var respondents: Int
    var compoundSum: Double
}

struct TopicRow: Sendable, Equatable {
    var questionID: Int64
    var kind: Scorecards.TopicKind
    var name: String
    var mentions: Int
    var examples: [String]
}

struct SchoolFamilies: Sendable, Equatable {
    var id: Int64
    var code: String
    var name: String
    var enrollment: Int
    var responses: Int
}

/// Everything a survey's results are made of, fetched by `Results`; composing is pure, so the
/// suppression and the statistics are one piece of code whatever the counts came from.
struct ResultsInput: Sendable {
    var survey: Survey
    var query: ResultsQuery
    var cells: [AnswerCell]
    /// Slice key to name, in the order they are shown.
    var slices: [(key: String, name: String)]
    /// Earlier wordings: question id, version, prompt.
    var wordings: [Int64: [Int: Translated]]
    var topics: [TopicRow]
    var previous: (survey: Survey, cells: [AnswerCell])?
    var schools: [SchoolFamilies]
}

enum ResultsComposer {
    static func compose(_ input: ResultsInput) -> SurveyResults {
        let counts = Counts(input.cells)
        let keys = input.query.by == nil ? [] : input.slices.map(\.key)
        // The survey's responses, whole and per slice.
        var disclosure = Disclosure()
        let total = disclosure.cell(counts.responses(""))
        let parts = keys.map { disclosure.cell(counts.responses($0)) }
        disclosure.relate(total: total, parts: parts)
        let hidden = disclosure.hidden()
        let responses = ([""] + keys).enumerated().map { index, key in
            (key, hidden.contains(index) ? nil : counts.responses(key))
        }
        let visibleResponses = Dictionary(uniqueKeysWithValues: responses.map { ($0.0, $0.1) })
        let previous = input.previous.map { (survey: $0.survey, counts: Counts($0.cells)) }
        let q = input.query
        return SurveyResults(
            survey: .init(
                id: input.survey.id,
                initiativeId: input.survey.initiativeID,
                title: input.survey.title,
                previousSurveyId: input.survey.previousSurveyID
            ),
            filters: .init(
                from: q.from,
                to: q.to,
                schoolId: q.schoolID,
                cluster: q.cluster,
                group: q.group?.rawValue,
                language: q.language,
                by: q.by?.rawValue
            ),
            minimumCell: Disclosure.minimumCell,
            responses: visibleResponses[""] ?? nil,
            slices: q.by == nil
                ? nil : input.slices.map { .init(key: $0.key, name: $0.name, responses: visibleResponses[$0.key] ?? nil) },
            questions: input.survey.questions.map { question in
                QuestionComposer(
                    question: question,
                    counts: counts,
                    keys: keys,
                    responses: visibleResponses,
                    wordings: input.wordings[question.id] ?? [:],
                    topics: input.topics.filter { $0.questionID == question.id }
                ).results(previous: previous)
            },
            responseRates: rates(input.schools)
        )
    }

    /// Families' responses per 100 enrolled, per school; a school under the minimum is hidden
    /// (and its neighbour, against the total); schools under half the median are flagged.
    static func rates(_ schools: [SchoolFamilies]) -> ResponseRates {
        let schools = schools.filter { $0.enrollment > 0 }
        var disclosure = Disclosure()
        let total = disclosure.cell(schools.map(\.responses).reduce(0, +))
        let cells = schools.map { disclosure.cell($0.responses) }
        disclosure.relate(total: total, parts: cells)
        let hidden = disclosure.hidden()
        let exact = schools.map { Double($0.responses) * 100 / Double($0.enrollment) }
        let rates = exact.indices.map { hidden.contains(cells[$0]) ? nil : exact[$0] }
        // Over every school, hidden or not: the visible ones alone would leave out the small
        // counts, and a median names no school. Each school is compared by its own rate, so a
        // hidden school is flagged when it is low, which says only that its count is small.
        let median = Scorecards.median(exact)
        return ResponseRates(
            medianPer100Enrolled: median.map { round($0, 2) },
            schools: schools.enumerated().map { index, school in
                .init(
                    schoolId: school.id,
                    code: school.code,
                    name: school.name,
                    enrollment: school.enrollment,
                    responses: rates[index] == nil ? nil : school.responses,
                    per100Enrolled: rates[index].map { round($0, 2) },
                    belowHalfMedian: median.map { exact[index] < $0 / 2 } ?? false
                )
            }
        )
    }

    static func round(_ value: Double, _ digits: Int) -> Double {
        let scale = pow(10, Double(digits))
        return (value * scale).rounded() / scale
    }

    /// The cells by question, slice and value, over every version, and the answered count per version.
    struct Counts: Sendable {
        var byValue: [Int64: [String: [String: (n: Int, compound: Double)]]] = [:]
        var byVersion: [Int64: [Int: Int]] = [:]

        init(_ cells: [AnswerCell]) {
            for cell in cells {
                var entry = byValue[cell.questionID, default: [:]][cell.slice, default: [:]][cell.value, default: (0, 0)]
                entry.n += cell.respondents
                entry.compound += cell.compoundSum
                byValue[cell.questionID, default: [:]][cell.slice, default: [:]][cell.value] = entry
                if cell.value.isEmpty { byVersion[cell.questionID, default: [:]][cell.version, default: 0] += cell.respondents }
            }
        }

        /// Over every slice when `slice` is "" and there is a breakdown.
        func count(_ question: Int64, _ slice: String, _ value: String) -> (n: Int, compound: Double) {
            guard let slices = byValue[question] else { return (0, 0) }
            if let one = slices[slice]?[value], !(slice.isEmpty && slices.count > 1) { return one }
            guard slice.isEmpty else { return (0, 0) }
            return slices.values.reduce((0, 0)) { sum, values in
                let one = values[value] ?? (0, 0)
                return (sum.0 + one.n, sum.1 + one.compound)
            }
        }

        func responses(_ slice: String) -> Int { count(0, slice, "").n }
    }
}
