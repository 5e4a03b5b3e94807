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

    let lexicon: [String: Double]
    /// Only single code points can match: VADER looks emoji up one Python character at a time.
    let emojis: [Unicode.Scalar: String]

    public init(lexiconText: String, emojiText: String) {
        var lexicon: [String: Double] = [:]
        // make_lex_dict: later duplicate keys overwrite earlier ones.
        // Split on the scalar: as Characters, "\r\n" is one grapheme and would not split on "\n".
        for line in lexiconText.unicodeScalars.split(separator: "\n") {
            let fields = String(line).trimmingCharacters(in: .whitespacesAndNewlines)
                .split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2, let value = Double(fields[1]) else { continue }
            lexicon[String(fields[0])] = value
        }
        var emojis: [Unicode.Scalar: String] = [:]
        for line in emojiText.unicodeScalars.split(separator: "\n") {
            let fields = String(line).trimmingCharacters(in: .whitespacesAndNewlines)
                .split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 2 else { continue }
            let key = fields[0].unicodeScalars
            if key.count == 1, let scalar = key.first { emojis[scalar] = String(fields[1]) }
        }
        self.lexicon = lexicon
        self.emojis = emojis
    }

    /// The lexicons shipped in this module's resources.
    public static func bundled() throws -> VaderSentiment {
        VaderSentiment(
            lexiconText: try ScoringResources.text("vader_lexicon.txt"),
            emojiText: try ScoringResources.text("emoji_utf8_lexicon.txt"))
    }

    public func polarityScores(_ text: String) -> SentimentScores {
        analyze(text).scores
    }

    /// Scores plus each token's final valence (after the "but" rule), for explanations.
    public func analyze(_ text: String) -> (scores: SentimentScores, contributions: [TokenContribution]) {
        let prepared = replaceEmojis(text)
        let words = Self.wordsAndEmoticons(prepared)
        let lower = words.map { $0.lowercased() }
        let isCapDifferential = Self.allCapDifferential(words)
        var sentiments: [Double] = []
        sentiments.reserveCapacity(words.count)
        for index in words.indices {
            // polarity_scores: boosters and "kind of" carry no valence themselves.
            if Self.boosters[lower[index]] != nil {
                sentiments.append(0)
                continue
            }
            if index < words.count - 1 && lower[index] == "kind" && lower[index + 1] == "of" {
                sentiments.append(0)
                continue
            }
            sentiments.append(valence(at: index, words: words, lower: lower, isCapDifferential: isCapDifferential))
        }
        sentiments = Self.butCheck(lower, sentiments)
        let scores = Self.scoreValence(sentiments, text: prepared)
        let contributions = zip(words, sentiments).map { TokenContribution(token: String($0), valence: $1) }
        return (scores, contributions)
    }

    // MARK: - polarity_scores: emoji replaced by their descriptions

    func replaceEmojis(_ text: String) -> Substring {
        var result = String.UnicodeScalarView()
        var previousWasSpace = true
        var changed = false
        for scalar in text.unicodeScalars {
            if let description = emojis[scalar] {
                if !previousWasSpace { result.append(" ") }
                result.append(contentsOf: description.unicodeScalars)
                previousWasSpace = false
                changed = true
            } else {
                result.append(scalar)
                previousWasSpace = scalar == " "
            }
        }
        let replaced = changed ? String(result) : text
        // text.strip()
        let scalars = replaced.unicodeScalars
        guard let first = scalars.firstIndex(where: { !PythonText.isWhitespace($0) }),
            let last = scalars.lastIndex(where: { !PythonText.isWhitespace($0) })
        else { return "" }
        return Substring(scalars[first...last])
    }

    // MARK: - SentiText

    /// _words_and_emoticons / _strip_punc_if_word: split on whitespace, strip ASCII punctuation
    /// at both ends unless that leaves two or fewer characters (probably an emoticon).
    static func wordsAndEmoticons(_ text: Substring) -> [Substring] {
        PythonText.split(text.unicodeScalars).map { token in
            let scalars = token.unicodeScalars
            guard let first = scalars.firstIndex(where: { !PythonText.isASCIIPunctuation($0) }),
                let last = scalars.lastIndex(where: { !PythonText.isASCIIPunctuation($0) })
            else { return token }
            let stripped = scalars[first...last]
            return stripped.count <= 2 ? token : Substring(stripped)
        }
    }

    /// allcap_differential: some but not all words are ALL CAPS.
    static func allCapDifferential(_ words: [Substring]) -> Bool {
        let capitalized = words.count(where: { PythonText.isUpper($0) })
        let differential = words.count - capitalized
        return differential > 0 && differential < words.count
    }

    // MARK: - sentiment_valence

    func valence(at index: Int, words: [Substring], lower: [String], isCapDifferential: Bool) -> Double {
        let item = lower[index]
        guard let base = lexicon[item] else { return 0 }
        var valence = base
        if item == "no" && index != words.count - 1 && lexicon[lower[index + 1]] != nil {
            valence = 0
        }
        if (index > 0 && lower[index - 1] == "no") || (index > 1 && lower[index - 2] == "no")
            || (index > 2 && lower[index - 3] == "no" && (lower[index - 1] == "or" || lower[index - 1] == "nor"))
        {
            valence = base * Self.negationScalar
        }
        if PythonText.isUpper(words[index]) && isCapDifferential {
            valence += valence > 0 ? Self.capsIncrement : -Self.capsIncrement
        }
        for start in 0..<3 where index > start && lexicon[lower[index - (start + 1)]] == nil {
            var scalar = Self.scalarIncDec(words[index - (start + 1)], lower[index - (start + 1)], valence, isCapDifferential)
            if start == 1 && scalar != 0 { scalar *= 0.95 }
            if start == 2 && scalar != 0 { scalar *= 0.9 }
            valence += scalar
            valence = Self.negationCheck(valence, lower, start, index)
            if start == 2 { valence = Self.specialIdiomsCheck(valence, lower, index) }
        }
        return leastCheck(valence, lower, index)
    }

    /// scalar_inc_dec
    static func scalarIncDec(_ word: Substring, _ lower: String, _ valence: Double, _ isCapDifferential: Bool) -> Double {
        guard var scalar = boosters[lower] else { return 0 }
        if valence < 0 { scalar *= -1 }
        if PythonText.isUpper(word) && isCapDifferential {
            scalar += valence > 0 ? capsIncrement : -capsIncrement
        }
        return scalar
    }

    /// _negation_check, with its operator precedence kept: at distance 3, "so"/"this" right
    /// before the word amplifies even without "never".
    static func negationCheck(_ valence: Double, _ lower: [String], _ start: Int, _ index: Int) -> Double {
        switch start {
        case 0:
            return isNegation(lower[index - 1]) ? valence * negationScalar : valence
        case 1:
            if lower[index - 2] == "never" && (lower[index - 1] == "so" || lower[index - 1] == "this") {
                return valence * 1.25
            } else if lower[index - 2] == "without" && lower[index - 1] == "doubt" {
                return valence
            }
            return isNegation(lower[index - 2]) ? valence * negationScalar : valence
        default:
            if (lower[index - 3] == "never" && (lower[index - 2] == "so" || lower[index - 2] == "this"))
                || (lower[index - 1] == "so" || lower[index - 1] == "this")
            {
                return valence * 1.25
            } else if lower[index - 3] == "without" && (lower[index - 2] == "doubt" || lower[index - 1] == "doubt") {
                return valence
            }
            return isNegation(lower[index - 3]) ? valence * negationScalar : valence
        }
    }

    /// negated([word]): a listed negation, or any word containing "n't".
    static func isNegation(_ lower: String) -> Bool {
        negations.contains(lower) || lower.contains("n't")
    }

    /// _special_idioms_check
    static func specialIdiomsCheck(_ valence: Double, _ lower: [String], _ index: Int) -> Double {
        var valence = valence
        let oneZero = "\(lower[index - 1]) \(lower[index])"
        let twoOneZero = "\(lower[index - 2]) \(lower[index - 1]) \(lower[index])"
        let twoOne = "\(lower[index - 2]) \(lower[index - 1])"
        let threeTwoOne = "\(lower[index - 3]) \(lower[index - 2]) \(lower[index - 1])"
        let threeTwo = "\(lower[index - 3]) \(lower[index - 2])"
        for sequence in [oneZero, twoOneZero, twoOne, threeTwoOne, threeTwo] {
            if let special = specialCases[sequence] {
                valence = special
                break
            }
        }
        if lower.count - 1 > index, let special = specialCases["\(lower[index]) \(lower[index + 1])"] {
            valence = special
        }
        if lower.count - 1 > index + 1,
            let special = specialCases["\(lower[index]) \(lower[index + 1]) \(lower[index + 2])"]
        {
            valence = special
        }
        for nGram in [threeTwoOne, threeTwo, twoOne] {
            if let booster = boosters[nGram] { valence += booster }
        }
        return valence
    }

    /// _least_check
    func leastCheck(_ valence: Double, _ lower: [String], _ index: Int) -> Double {
        if index > 1 && lexicon[lower[index - 1]] == nil && lower[index - 1] == "least" {
            if lower[index - 2] != "at" && lower[index - 2] != "very" { return valence * Self.negationScalar }
        } else if index > 0 && lexicon[lower[index - 1]] == nil && lower[index - 1] == "least" {
            return valence * Self.negationScalar
        }
        return valence
    }

    /// _but_check, including its quirk: each value is located with `list.index(value)`, i.e. the
    /// first equal value, which is not always the element being visited.
    static func butCheck(_ lower: [String], _ sentiments: [Double]) -> [Double] {
        guard let butIndex = lower.firstIndex(of: "but") else { return sentiments }
        var sentiments = sentiments
        for position in sentiments.indices {
            let sentiment = sentiments[position]
            let found = sentiments.firstIndex(of: sentiment)!
            if found < butIndex {
                sentiments[found] = sentiment * 0.5
            } else if found > butIndex {
                sentiments[found] = sentiment * 1.5
            }
        }
        return sentiments
    }

    // MARK: - score_valence

    static func scoreValence(_ sentiments: [Double], text: Substring) -> SentimentScores {
        guard !sentiments.isEmpty else { return SentimentScores(neg: 0, neu: 0, pos: 0, compound: 0) }
        var sum = sentiments.reduce(0, +)
        let amplifier = punctuationEmphasis(text)
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
            compound: PythonText.round(compound, 4))
    }

    /// _punctuation_emphasis: up to four "!" add 0.292 each; two or three "?" add 0.18 each,
    /// more add 0.96.
    static func punctuationEmphasis(_ text: Substring) -> Double {
        var exclamations = 0
        var questions = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "!") { exclamations += 1 }
            if byte == UInt8(ascii: "?") { questions += 1 }
        }
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
