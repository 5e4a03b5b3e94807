import Foundation

/// English sentiment that reproduces vaderSentiment 3.3.2 `SentimentIntensityAnalyzer.polarity_scores`
/// (Hutto & Gilbert, ICWSM 2014), quirks included, so every score can be checked against the
/// reference implementation. Each rule cites the function of `vaderSentiment.py` it mirrors.
///
/// The one deliberate difference is applied by `TextNormalizer` before this runs: curly
/// apostrophes become `'`, so "don’t" negates as "don't" does.
public struct VaderSentiment: Sendable {
    static let bIncrement = 0.293
    static let bDecrement = -0.293
    static let capsIncrement = 0.733
    static let negationScalar = -0.74

    /// Everything VADER asks of a lowercased word, found with one lookup.
    let words: ByteTable<WordInfo>
    /// Descriptions as UTF-8. Only single code points can match: VADER looks emoji up one Python
    /// character at a time.
    let emojis: [Unicode.Scalar: [UInt8]]

    public init(lexiconText: String, emojiText: String) {
        var lexicon: [(key: String, value: Double)] = []
        // make_lex_dict: later duplicate keys overwrite earlier ones (ByteTable keeps the last).
        // Split on the scalar: as Characters, "\r\n" is one grapheme and would not split on "\n".
        for line in lexiconText.unicodeScalars.split(separator: "\n") {
            let fields = String(line).trimmingCharacters(in: .whitespacesAndNewlines)
                .split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2, let value = Double(fields[1]) else { continue }
            lexicon.append((String(fields[0]), value))
        }
        var emojis: [Unicode.Scalar: [UInt8]] = [:]
        for line in emojiText.unicodeScalars.split(separator: "\n") {
            let fields = String(line).trimmingCharacters(in: .whitespacesAndNewlines)
                .split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2 else { continue }
            let key = fields[0].unicodeScalars
            if key.count == 1, let scalar = key.first { emojis[scalar] = Array(fields[1].utf8) }
        }
        self.words = WordInfo.table(lexicon: lexicon)
        self.emojis = emojis
    }

    /// The lexicons shipped in this module's resources.
    public static func bundled() throws -> VaderSentiment {
        VaderSentiment(
            lexiconText: try ScoringResources.text("vader_lexicon.txt"),
            emojiText: try ScoringResources.text("emoji_utf8_lexicon.txt")
        )
    }

    public func polarityScores(_ text: String) -> SentimentScores {
        var tokens = Tokens(prepared: prepare(text), table: words)
        let sentiments = valences(&tokens)
        return Self.scoreValence(sentiments, exclamations: tokens.exclamations, questions: tokens.questions)
    }

    /// Scores plus each token's final valence (after the "but" rule), for explanations.
    public func analyze(_ text: String) -> (scores: SentimentScores, contributions: [TokenContribution]) {
        var tokens = Tokens(prepared: prepare(text), table: words)
        let sentiments = valences(&tokens)
        let scores = Self.scoreValence(sentiments, exclamations: tokens.exclamations, questions: tokens.questions)
        let contributions = sentiments.indices.map { TokenContribution(token: tokens.word($0), valence: sentiments[$0]) }
        return (scores, contributions)
    }

    /// polarity_scores up to _but_check: one valence per word.
    func valences(_ tokens: inout Tokens) -> [Double] {
        let count = tokens.count
        var isCapDifferential = false
        if count > 0 {
            let capitalized = tokens.upper.count(where: { $0 })
            isCapDifferential = count - capitalized > 0 && count - capitalized < count
        }
        var sentiments = [Double](repeating: 0, count: count)
        for index in 0..<count {
            let info = tokens.info[index]
            // polarity_scores: boosters and "kind of" carry no valence themselves.
            if info.booster != nil { continue }
            if index < count - 1 && info.is(.kind) && tokens.info[index + 1].is(.of) { continue }
            sentiments[index] = valence(at: index, &tokens, isCapDifferential: isCapDifferential)
        }
        if let butIndex = tokens.info.firstIndex(where: { $0.is(.but) }) {
            Self.butCheck(butIndex, &sentiments)
        }
        return sentiments
    }

    // MARK: - polarity_scores: emoji replaced by their descriptions

    /// Replaces emoji (only non-ASCII text can hold one) and strips surrounding whitespace,
    /// working on UTF-8 bytes.
    func prepare(_ text: String) -> [UInt8] {
        var text = text
        return text.withUTF8 { source in
            var isASCII = true
            for byte in source where byte >= 0x80 {
                isASCII = false
                break
            }
            // Stripping whitespace changes neither the words nor the "!"/"?" counts of ASCII text.
            if isASCII { return Array(source) }
            var result: [UInt8] = []
            result.reserveCapacity(source.count + 32)
            var previousWasSpace = true
            var position = 0
            while position < source.count {
                let byte = source[position]
                if byte < 0x80 {
                    result.append(byte)
                    previousWasSpace = byte == UInt8(ascii: " ")
                    position += 1
                    continue
                }
                let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                var value = UInt32(byte) & (length == 4 ? 0x07 : length == 3 ? 0x0F : 0x1F)
                for offset in 1..<length { value = value << 6 | UInt32(source[position + offset] & 0x3F) }
                if let scalar = Unicode.Scalar(value), let description = emojis[scalar] {
                    if !previousWasSpace { result.append(UInt8(ascii: " ")) }
                    result.append(contentsOf: description)
                } else {
                    result.append(contentsOf: source[position..<position + length])
                }
                previousWasSpace = false
                position += length
            }
            // text.strip()
            var lower = 0
            var upper = result.count
            while lower < upper, Tokens.whitespace(result, lower).0 { lower += Tokens.whitespace(result, lower).1 }
            while upper > lower, let start = Tokens.lastScalarStart(result, before: upper), Tokens.whitespace(result, start).0 {
                upper = start
            }
            return lower == 0 && upper == result.count ? result : Array(result[lower..<upper])
        }
    }

    // MARK: - sentiment_valence

    func valence(at index: Int, _ tokens: inout Tokens, isCapDifferential: Bool) -> Double {
        let info = tokens.info
        guard let base = info[index].valence else { return 0 }
        var valence = base
        if info[index].is(.no) && index != tokens.count - 1 && info[index + 1].valence != nil {
            valence = 0
        }
        if (index > 0 && info[index - 1].is(.no)) || (index > 1 && info[index - 2].is(.no))
            || (index > 2 && info[index - 3].is(.no) && (info[index - 1].is(.or) || info[index - 1].is(.nor)))
        {
            valence = base * Self.negationScalar
        }
        if tokens.upper[index] && isCapDifferential {
            valence += valence > 0 ? Self.capsIncrement : -Self.capsIncrement
        }
        for start in 0..<3 where index > start && info[index - (start + 1)].valence == nil {
            let previous = index - (start + 1)
            var scalar = Self.scalarIncDec(info[previous], tokens.upper[previous], valence, isCapDifferential)
            if start == 1 && scalar != 0 { scalar *= 0.95 }
            if start == 2 && scalar != 0 { scalar *= 0.9 }
            valence += scalar
            valence = Self.negationCheck(valence, &tokens, start, index)
            if start == 2 { valence = Self.specialIdiomsCheck(valence, &tokens, index) }
        }
        return leastCheck(valence, info, index)
    }

    /// scalar_inc_dec
    static func scalarIncDec(_ info: WordInfo, _ isUpper: Bool, _ valence: Double, _ isCapDifferential: Bool) -> Double {
        guard var scalar = info.booster else { return 0 }
        if valence < 0 { scalar *= -1 }
        if isUpper && isCapDifferential {
            scalar += valence > 0 ? capsIncrement : -capsIncrement
        }
        return scalar
    }

    /// _negation_check, with its operator precedence kept: at distance 3, "so"/"this" right
    /// before the word amplifies even without "never".
    static func negationCheck(_ valence: Double, _ tokens: inout Tokens, _ start: Int, _ index: Int) -> Double {
        let info = tokens.info
        switch start {
        case 0:
            return tokens.isNegation(index - 1) ? valence * negationScalar : valence
        case 1:
            if info[index - 2].is(.never) && (info[index - 1].is(.so) || info[index - 1].is(.this)) {
                return valence * 1.25
            } else if info[index - 2].is(.without) && info[index - 1].is(.doubt) {
                return valence
            }
            return tokens.isNegation(index - 2) ? valence * negationScalar : valence
        default:
            if (info[index - 3].is(.never) && (info[index - 2].is(.so) || info[index - 2].is(.this)))
                || (info[index - 1].is(.so) || info[index - 1].is(.this))
            {
                return valence * 1.25
            } else if info[index - 3].is(.without) && (info[index - 2].is(.doubt) || info[index - 1].is(.doubt)) {
                return valence
            }
            return tokens.isNegation(index - 3) ? valence * negationScalar : valence
        }
    }

    /// _special_idioms_check. A sequence can only match when every word of it occurs in some
    /// special case or multi-word booster, which is checked before any string is built.
    static func specialIdiomsCheck(_ valence: Double, _ tokens: inout Tokens, _ index: Int) -> Double {
        var valence = valence
        func key(_ range: ClosedRange<Int>) -> String? {
            guard range.allSatisfy({ tokens.info[$0].is(.idiomWord) }) else { return nil }
            return range.map { tokens.lower($0) }.joined(separator: " ")
        }
        let threeTwoOne = key(index - 3...index - 1)
        let threeTwo = key(index - 3...index - 2)
        let twoOne = key(index - 2...index - 1)
        for sequence in [key(index - 1...index), key(index - 2...index), twoOne, threeTwoOne, threeTwo] {
            if let sequence, let special = specialCases[sequence] {
                valence = special
                break
            }
        }
        if tokens.count - 1 > index, let sequence = key(index...index + 1), let special = specialCases[sequence] {
            valence = special
        }
        if tokens.count - 1 > index + 1, let sequence = key(index...index + 2), let special = specialCases[sequence] {
            valence = special
        }
        for nGram in [threeTwoOne, threeTwo, twoOne] {
            if let nGram, let booster = boosters[nGram] { valence += booster }
        }
        return valence
    }

    /// _least_check
    func leastCheck(_ valence: Double, _ info: [WordInfo], _ index: Int) -> Double {
        if index > 1 && info[index - 1].valence == nil && info[index - 1].is(.least) {
            if !info[index - 2].is(.at) && !info[index - 2].is(.very) { return valence * Self.negationScalar }
        } else if index > 0 && info[index - 1].valence == nil && info[index - 1].is(.least) {
            return valence * Self.negationScalar
        }
        return valence
    }

    /// _but_check, including its quirk: each value is located with `list.index(value)`, i.e. the
    /// first equal value, which is not always the element being visited. Long texts use an
    /// equivalent O(n log n) search (a min-heap of positions per value) instead of rescanning.
    static func butCheck(_ butIndex: Int, _ sentiments: inout [Double]) {
        if sentiments.count <= 256 {
            for position in sentiments.indices {
                let sentiment = sentiments[position]
                // Zero stays zero whichever zero is found: skipping it changes nothing.
                if sentiment == 0 { continue }
                let found = sentiments.firstIndex(of: sentiment)!
                sentiments[found] = sentiment * (found < butIndex ? 0.5 : found > butIndex ? 1.5 : 1)
            }
            return
        }
        var positions: [Double: PositionHeap] = [:]
        for (index, value) in sentiments.enumerated() where value != 0 { positions[value, default: PositionHeap()].push(index) }
        for position in sentiments.indices {
            let sentiment = sentiments[position]
            if sentiment == 0 { continue }
            // Lazily drop positions whose value has changed since they were pushed.
            var found = 0
            while let candidate = positions[sentiment]?.peek() {
                if sentiments[candidate] == sentiment {
                    found = candidate
                    break
                }
                positions[sentiment]!.pop()
            }
            let updated = sentiment * (found < butIndex ? 0.5 : found > butIndex ? 1.5 : 1)
            if updated != sentiment {
                sentiments[found] = updated
                positions[updated, default: PositionHeap()].push(found)
            }
        }
    }

    // MARK: - score_valence

    static func scoreValence(_ sentiments: [Double], exclamations: Int, questions: Int) -> SentimentScores {
        guard !sentiments.isEmpty else { return SentimentScores(neg: 0, neu: 0, pos: 0, compound: 0) }
        var sum = sentiments.reduce(0, +)
        let amplifier = punctuationEmphasis(exclamations: exclamations, questions: questions)
        if sum > 0 {
            sum += amplifier
        } else if sum < 0 {
            sum -= amplifier
        }
        let compound = normalize(sum)
        // _sift_sentiment_scores: +1/-1 compensate for neutral words counted as 1.
        var positive = 0.0
        var negative = 0.0
        var neutral = 0
        for sentiment in sentiments {
            if sentiment > 0 { positive += sentiment + 1 }
            if sentiment < 0 { negative += sentiment - 1 }
            if sentiment == 0 { neutral += 1 }
        }
        if positive > abs(negative) {
            positive += amplifier
        } else if positive < abs(negative) {
            negative -= amplifier
        }
        let total = positive + abs(negative) + Double(neutral)
        return SentimentScores(
            neg: PythonText.round(abs(negative / total), 3),
            neu: PythonText.round(abs(Double(neutral) / total), 3),
            pos: PythonText.round(abs(positive / total), 3),
            compound: PythonText.round(compound, 4)
        )
    }

    /// _punctuation_emphasis: up to four "!" add 0.292 each; two or three "?" add 0.18 each,
    /// more add 0.96.
    static func punctuationEmphasis(exclamations: Int, questions: Int) -> Double {
        let exclamationAmplifier = Double(min(exclamations, 4)) * 0.292
        var questionAmplifier = 0.0
        if questions > 1 { questionAmplifier = questions <= 3 ? Double(questions) * 0.18 : 0.96 }
        return exclamationAmplifier + questionAmplifier
    }

    /// normalize(score, alpha=15)
    static func normalize(_ score: Double, alpha: Double = 15) -> Double {
        let normalized = score / (score * score + alpha).squareRoot()
        return min(1, max(-1, normalized))
    }
}

/// A binary min-heap of positions.
struct PositionHeap {
    private var items: [Int] = []

    func peek() -> Int? { items.first }

    mutating func push(_ value: Int) {
        items.append(value)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if items[parent] <= items[child] { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() {
        items[0] = items[items.count - 1]
        items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            if left >= items.count { return }
            let smallest = left + 1 < items.count && items[left + 1] < items[left] ? left + 1 : left
            if items[parent] <= items[smallest] { return }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

public struct SentimentScores: Sendable, Equatable, Codable {
    public var neg: Double
    public var neu: Double
    public var pos: Double
    public var compound: Double

    public init(neg: Double, neu: Double, pos: Double, compound: Double) {
        self.neg = neg
        self.neu = neu
        self.pos = pos
        self.compound = compound
    }
}

/// One token's final valence, for explaining a score.
public struct TokenContribution: Sendable, Equatable, Codable {
    public var token: String
    public var valence: Double
}
