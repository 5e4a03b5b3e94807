/// Unsupervised keyphrase extraction following YAKE (Campos et al., "YAKE! Keyword extraction from
/// single documents using multiple local features", Information Sciences 509, 2020), written from
/// the paper. Each word gets five statistics (casing, position, frequency, relatedness to
/// context, spread over sentences, §3.2); candidates of 1–3 words that neither start nor end with a
/// stopword are scored from their words (§3.3, lower is more important) and near-duplicates are
/// dropped (§3.4). The score we return is `1 / (1 + S)`: higher means more important.
public struct KeyphraseExtractor: Sendable {
    public var maximumWords = 3
    public var windowSize = 1
    /// Levenshtein similarity above which a candidate counts as a duplicate of a better one.
    public var deduplicationThreshold = 0.8

    public init() {}

    public func extract(_ text: String, language: Language, top: Int = 10) -> [Keyphrase] {
        let document = Document(text: text, language: language)
        guard !document.terms.isEmpty else { return [] }
        let termScores = document.termScores(windowSize: windowSize)
        let candidates = document.candidates(maximumWords: maximumWords, termScores: termScores)
        var selected: [Keyphrase] = []
        var selectedKeys: [String] = []
        for candidate in candidates {
            if selected.count >= top { break }
            let key = candidate.key
            if selectedKeys.contains(where: { Self.similarity($0, key) > deduplicationThreshold }) { continue }
            selectedKeys.append(key)
            selected.append(Keyphrase(phrase: candidate.surface, score: 1 / (1 + candidate.score)))
        }
        return selected
    }

    /// 1 − Levenshtein distance / longer length.
    static func similarity(_ a: String, _ b: String) -> Double {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty || b.isEmpty { return a.count == b.count ? 1 : 0 }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return 1 - Double(previous[b.count]) / Double(Swift.max(a.count, b.count))
    }
}

public struct Keyphrase: Sendable, Equatable, Codable {
    public var phrase: String
    public var score: Double
}

/// One document, tokenized into sentences and chunks (runs of words between punctuation).
struct Document {
    struct Token {
        var term: Int
        var sentence: Int
        var surface: Substring
        var isStopword: Bool
        var isUnusable: Bool
    }

    struct Term {
        var key: String
        var isStopword: Bool
        var count = 0
        var uppercaseCount = 0
        var acronymCount = 0
        var sentences: [Int] = []
    }

    struct Candidate {
        var key: String
        var surface: String
        var score: Double
    }

    var terms: [Term] = []
    var chunks: [[Token]] = []
    var sentenceCount = 0

    init(text: String, language: Language) {
        var termIndex: [String: Int] = [:]
        var chunk: [Token] = []
        var sentence = 0
        var sentenceHasWords = false
        var atSentenceStart = true

        func endChunk() {
            if !chunk.isEmpty { chunks.append(chunk) }
            chunk = []
        }
        func endSentence() {
            endChunk()
            if sentenceHasWords { sentence += 1 }
            sentenceHasWords = false
            atSentenceStart = true
        }
        func addWord(_ word: Substring) {
            let lower = word.lowercased()
            let folded = TextFolding.fold(lower)
            let isStopword = Stopwords.contains(folded, language: language)
            let hasLetter = word.contains(where: \.isLetter)
            let index: Int
            if let existing = termIndex[lower] {
                index = existing
            } else {
                index = terms.count
                termIndex[lower] = index
                terms.append(Term(key: lower, isStopword: isStopword))
            }
            terms[index].count += 1
            let isAcronym = word.count > 1 && hasLetter && word.allSatisfy { !$0.isLetter || $0.isUppercase }
            if isAcronym {
                terms[index].acronymCount += 1
            } else if !atSentenceStart, word.first?.isUppercase == true {
                terms[index].uppercaseCount += 1
            }
            if terms[index].sentences.last != sentence { terms[index].sentences.append(sentence) }
            chunk.append(Token(term: index, sentence: sentence, surface: word, isStopword: isStopword, isUnusable: !hasLetter))
            sentenceHasWords = true
            atSentenceStart = false
        }

        let scalars = text.unicodeScalars
        var index = scalars.startIndex
        var wordStart: String.UnicodeScalarView.Index?
        var newlines = 0
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let properties = scalar.properties
            let next = scalars.index(after: index)
            let isWordScalar = properties.isAlphabetic || properties.numericType != nil
                || properties.generalCategory == .nonspacingMark
                || ((scalar == "'" || scalar == "-" || scalar == "’") && wordStart != nil && next < scalars.endIndex
                    && scalars[next].properties.isAlphabetic)
            if isWordScalar {
                if wordStart == nil { wordStart = index }
                newlines = 0
            } else {
                if let start = wordStart {
                    addWord(Substring(scalars[start..<index]))
                    wordStart = nil
                }
                switch scalar {
                case ".", "!", "?", "…", "¿", "¡":
                    endSentence()
                case "\n":
                    newlines += 1
                    if newlines >= 2 { endSentence() } else { endChunk() }
                case " ", "\t", "\r", "\u{A0}":
                    break
                default:
                    endChunk()
                }
            }
            index = next
        }
        if let start = wordStart { addWord(Substring(scalars[start..<scalars.endIndex])) }
        endSentence()
        sentenceCount = max(sentence, 1)
    }

    /// S(t) of §3.2 for every term (stopwords get none: they only matter inside candidates).
    func termScores(windowSize: Int) -> [Double] {
        // Co-occurrence within the window, inside chunks (left and right neighbours of each term).
        var left = [[Int: Int]](repeating: [:], count: terms.count)
        var right = [[Int: Int]](repeating: [:], count: terms.count)
        for chunk in chunks {
            for (position, token) in chunk.enumerated() {
                for offset in 1...windowSize where position - offset >= 0 {
                    let neighbour = chunk[position - offset]
                    left[token.term][neighbour.term, default: 0] += 1
                    right[neighbour.term][token.term, default: 0] += 1
                }
            }
        }
        let contentCounts = terms.filter { !$0.isStopword }.map { Double($0.count) }
        let counts = contentCounts.isEmpty ? terms.map { Double($0.count) } : contentCounts
        let mean = counts.reduce(0, +) / Double(counts.count)
        let deviation = (counts.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(counts.count)).squareRoot()
        let maximum = counts.max() ?? 1
        return terms.indices.map { index in
            let term = terms[index]
            let frequency = Double(term.count)
            let casing = Double(max(term.uppercaseCount, term.acronymCount)) / (1 + log(frequency))
            let sentences = term.sentences.map(Double.init)
            let median = sentences.count % 2 == 1
                ? sentences[sentences.count / 2]
                : (sentences[sentences.count / 2 - 1] + sentences[sentences.count / 2]) / 2
            let position = log(log(3 + median))
            let normalizedFrequency = frequency / (mean + deviation)
            func spread(_ neighbours: [Int: Int]) -> Double {
                let total = neighbours.values.reduce(0, +)
                return total == 0 ? 0 : Double(neighbours.count) / Double(total)
            }
            let relatedness = 1 + (spread(left[index]) + spread(right[index])) * (frequency / maximum)
            let different = Double(term.sentences.count) / Double(sentenceCount)
            return relatedness * position / (casing + normalizedFrequency / relatedness + different / relatedness)
        }
    }

    /// Candidates of §3.3, best (lowest S) first.
    func candidates(maximumWords: Int, termScores: [Double]) -> [Candidate] {
        struct Tally {
            var count = 0
            var surface: String
            var terms: [Int]
        }
        var tallies: [String: Tally] = [:]
        var order: [String] = []
        for chunk in chunks {
            for start in chunk.indices {
                let first = chunk[start]
                if first.isStopword || first.isUnusable { continue }
                for length in 1...maximumWords {
                    let end = start + length - 1
                    guard end < chunk.count else { break }
                    let last = chunk[end]
                    if chunk[end].isUnusable { break }
                    if last.isStopword { continue }
                    let tokens = chunk[start...end]
                    let key = tokens.map { terms[$0.term].key }.joined(separator: " ")
                    if tallies[key] == nil {
                        let surface = tokens.map { String($0.surface) }.joined(separator: " ")
                        tallies[key] = Tally(surface: surface, terms: tokens.map(\.term))
                        order.append(key)
                    }
                    tallies[key]!.count += 1
                }
            }
        }
        let bigrams = bigramCounts()
        var candidates: [Candidate] = []
        candidates.reserveCapacity(order.count)
        for key in order {
            let tally = tallies[key]!
            var product = 1.0
            var sum = 0.0
            for (position, term) in tally.terms.enumerated() {
                if terms[term].isStopword {
                    // §3.3: a stopword inside a candidate weighs by how strongly it binds its
                    // neighbours (bigram probabilities on each side).
                    let previous = tally.terms[position - 1], next = tally.terms[position + 1]
                    let leftProbability = Double(bigrams[Pair(previous, term), default: 0]) / Double(terms[previous].count)
                    let rightProbability = Double(bigrams[Pair(term, next), default: 0]) / Double(terms[next].count)
                    let probability = leftProbability * rightProbability
                    product *= 1 + (1 - probability)
                    sum -= 1 - probability
                } else {
                    product *= termScores[term]
                    sum += termScores[term]
                }
            }
            let score = product / (Double(tally.count) * (1 + sum))
            candidates.append(Candidate(key: key, surface: tally.surface, score: score))
        }
        candidates.sort { $0.score < $1.score || ($0.score == $1.score && $0.key < $1.key) }
        return candidates
    }

    struct Pair: Hashable {
        let first: Int, second: Int
        init(_ first: Int, _ second: Int) {
            self.first = first
            self.second = second
        }
    }

    private func bigramCounts() -> [Pair: Int] {
        var counts: [Pair: Int] = [:]
        for chunk in chunks where chunk.count > 1 {
            for index in 1..<chunk.count { counts[Pair(chunk[index - 1].term, chunk[index].term), default: 0] += 1 }
        }
        return counts
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
