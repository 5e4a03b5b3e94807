import Foundation
import Testing

@testable import Engagement

/// A2: no hidden count of a results output can be recomputed from what the same output shows.
/// The attacker here is written apart from `Disclosure`: it reads the published figures (counts,
/// answered, top-2 shares times answered), writes every equation they satisfy (each slice's
/// points sum to its answered count, top-2 is points 4 and 5, each point's slices sum to the
/// whole) and solves them exactly over the rationals for each hidden count.
@Suite("Complementary suppression against an attacker")
struct DisclosureTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11 ^ state
        }
    }

    static let survey = Survey(
        id: 1,
        initiativeID: 1,
        title: Translated(["en": "S"]),
        opensAt: Date(timeIntervalSince1970: 0),
        closesAt: nil,
        anonymous: true,
        questions: [Question(id: 1, position: 1, fields: .init(kind: .likert5, prompt: Translated(["en": "Q"])))]
    )

    @Test func noHiddenCountFollowsFromThePublishedOnes() throws {
        var random = Generator(state: 15)
        var hiddenSeen = 0
        for trial in 0..<300 {
            let slices = Int.random(in: 2...4, using: &random)
            // Small schools with uneven answers: most trials hide several cells.
            let truth = (0..<slices).map { _ in (1...5).map { _ in Int.random(in: 0...14, using: &random) } }
            var cells: [AnswerCell] = []
            for (s, points) in truth.enumerated() {
                let key = String(s + 1)
                let answered = points.reduce(0, +)
                cells.append(AnswerCell(questionID: 0, version: 0, slice: key, value: "", respondents: answered, compoundSum: 0))
                cells.append(AnswerCell(questionID: 1, version: 1, slice: key, value: "", respondents: answered, compoundSum: 0))
                for (v, n) in points.enumerated() where n > 0 {
                    cells.append(AnswerCell(questionID: 1, version: 1, slice: key, value: String(v + 1), respondents: n, compoundSum: 0))
                }
            }
            let output = ResultsComposer.compose(
                ResultsInput(
                    survey: Self.survey,
                    query: ResultsQuery(surveyID: 1, by: .school),
                    cells: cells,
                    slices: (1...slices).map { (String($0), "S\($0)") },
                    wordings: [:],
                    topics: [],
                    previous: nil,
                    schools: []
                )
            )
            let question = try #require(output.questions.first)
            let distributions = [question.overall] + (question.slices ?? []).map(\.figures)
            let wholeTruth = (0..<5).map { v in truth.map { $0[v] }.reduce(0, +) }
            let truths = [wholeTruth] + truth
            let exposed = Attacker(distributions).recomputable()
            hiddenSeen += exposed.hidden
            for (d, v, value) in exposed.found {
                Issue.record("trial \(trial): distribution \(d) point \(v) (\(truths[d][v]) in truth) recomputed as \(value)")
            }
            // Whatever shows is the truth, and nothing under 10 shows but zero.
            for (d, figures) in distributions.enumerated() {
                for (v, point) in figures.points.enumerated() {
                    if let count = point.count {
                        #expect(count == truths[d][v])
                        #expect(count == 0 || count >= 10)
                    }
                }
            }
        }
        #expect(hiddenSeen > 300, "the trials hid \(hiddenSeen) cells: too few to test anything")
    }

    /// Exact elimination over the rationals of the equations the published figures satisfy.
    struct Attacker {
        let distributions: [Figures]
        init(_ distributions: [Figures]) { self.distributions = distributions }

        struct Fraction: Equatable {
            var n: Int
            var d: Int
            init(_ n: Int, _ d: Int = 1) {
                let g = Self.gcd(abs(n), abs(d))
                let sign = d < 0 ? -1 : 1
                self.n = g == 0 ? 0 : sign * n / g
                self.d = g == 0 ? 1 : sign * d / g
            }
            static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
            static func - (a: Self, b: Self) -> Self { Self(a.n * b.d - b.n * a.d, a.d * b.d) }
            static func * (a: Self, b: Self) -> Self { Self(a.n * b.n, a.d * b.d) }
            static func / (a: Self, b: Self) -> Self { Self(a.n * b.d, a.d * b.n) }
            var isZero: Bool { n == 0 }
        }

        /// Unknowns are (distribution, point) and each distribution's answered count; each
        /// equation is coefficients on unknowns = a constant.
        func recomputable() -> (hidden: Int, found: [(Int, Int, Fraction)]) {
            var unknown: [String: Int] = [:]
            func variable(_ name: String) -> Int {
                if let index = unknown[name] { return index }
                unknown[name] = unknown.count
                return unknown.count - 1
            }
            var equations: [([Int: Int], Int)] = []
            func equation(_ terms: [(value: Int?, name: String, coefficient: Int)]) {
                var row: [Int: Int] = [:]
                var constant = 0
                for term in terms {
                    if let value = term.value {
                        constant -= term.coefficient * value
                    } else {
                        row[variable(term.name), default: 0] += term.coefficient
                    }
                }
                equations.append((row, constant))
            }
            for (d, figures) in distributions.enumerated() {
                let points = figures.points.enumerated().map { (value: $1.count, name: "p\(d).\($0)", coefficient: 1) }
                equation([(figures.answered, "a\(d)", -1)] + points)
                if let share = figures.top2Share, let answered = figures.answered {
                    let top2 = Int((share * Double(answered)).rounded())
                    equation([(top2, "t", -1), points[3], points[4]])
                }
            }
            for v in 0..<5 {
                equation(
                    [(distributions[0].points[v].count, "p0.\(v)", -1)]
                        + distributions.indices.dropFirst().map { (distributions[$0].points[v].count, "p\($0).\(v)", 1) }
                )
            }
            equation([(distributions[0].answered, "a0", -1)] + distributions.indices.dropFirst().map { (distributions[$0].answered, "a\($0)", 1) })
            // Reduced row echelon form; a pivot whose row has no other unknown is recomputed.
            let columns = unknown.count
            var matrix = equations.map { row, constant in
                (0..<columns).map { Fraction(row[$0] ?? 0) } + [Fraction(constant)]
            }
            var rank = 0
            var pivots: [(Int, Int)] = []
            for column in 0..<columns where rank < matrix.count {
                guard let pivot = (rank..<matrix.count).first(where: { !matrix[$0][column].isZero }) else { continue }
                matrix.swapAt(rank, pivot)
                let scale = matrix[rank][column]
                matrix[rank] = matrix[rank].map { $0 / scale }
                for r in matrix.indices where r != rank && !matrix[r][column].isZero {
                    let factor = matrix[r][column]
                    matrix[r] = zip(matrix[r], matrix[rank]).map { $0 - factor * $1 }
                }
                pivots.append((rank, column))
                rank += 1
            }
            let names = Dictionary(uniqueKeysWithValues: unknown.map { ($1, $0) })
            var found: [(Int, Int, Fraction)] = []
            for (row, column) in pivots where (0..<columns).allSatisfy({ $0 == column || matrix[row][$0].isZero }) {
                let name = names[column]!
                guard name.hasPrefix("p") else { continue }
                let parts = name.dropFirst().split(separator: ".").compactMap { Int($0) }
                found.append((parts[0], parts[1], matrix[row][columns]))
            }
            return (unknown.keys.filter { $0.hasPrefix("p") }.count, found)
        }
    }
}
