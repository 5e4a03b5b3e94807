/// Spanish sentiment with VADER's shape: a valence lexicon (`spanish_lexicon.tsv`, ours, see
/// NOTICE), boosters and dampeners, negation within three words, the contrastive "pero"
/// (like VADER's "but"), ALL-CAPS emphasis, "!"/"?" emphasis, and the same compound
/// normalization and neg/neu/pos proportions, so English and Spanish scores are comparable.
public struct SpanishSentiment: Sendable {
    let lexicon: [String: Double]

    public init(lexiconText: String) {
        var lexicon: [String: Double] = [:]
        for line in lexiconText.unicodeScalars.split(separator: "\n") {
            let text = String(line)
            if text.hasPrefix("#") { continue }
            let fields = text.split(separator: "\t")
            guard fields.count >= 2, let value = Double(fields[1].trimmingWhitespace) else { continue }
            lexicon[TextFolding.fold(fields[0].trimmingWhitespace)] = value
        }
        self.lexicon = lexicon
    }

    public static func bundled() throws -> SpanishSentiment {
        SpanishSentiment(lexiconText: try ScoringResources.text("spanish_lexicon.tsv"))
    }

    public func polarityScores(_ text: String) -> SentimentScores {
        analyze(text).scores
    }

    public func analyze(_ text: String) -> (scores: SentimentScores, contributions: [TokenContribution]) {
        let words = TextFolding.words(text)
        let folded = words.map { TextFolding.fold($0) }
        let capitalized = words.count(where: { PythonText.isUpper($0) })
        let isCapDifferential = words.count - capitalized > 0 && words.count - capitalized < words.count
        var sentiments: [Double] = []
        sentiments.reserveCapacity(words.count)
        for index in words.indices {
            if Self.boosters[folded[index]] != nil {
                sentiments.append(0)
                continue
            }
            guard var valence = lookup(folded[index]) else {
                sentiments.append(0)
                continue
            }
            if PythonText.isUpper(words[index]) && isCapDifferential {
                valence += valence > 0 ? VaderSentiment.capsIncrement : -VaderSentiment.capsIncrement
            }
            // Modifiers up to three words back, damped with distance as in VADER.
            let damping = [1.0, 0.95, 0.9]
            for distance in 0..<3 where index > distance {
                let previous = folded[index - distance - 1]
                if lookup(previous) != nil { continue }
                if var booster = Self.boosters[previous] {
                    if valence < 0 { booster = -booster }
                    valence += booster * damping[distance]
                }
                if Self.negators.contains(previous) {
                    valence *= VaderSentiment.negationScalar
                }
            }
            sentiments.append(valence)
        }
        // Contrastive "pero"/"sino" shifts weight to what follows, as "but" does in VADER.
        if let pero = folded.firstIndex(where: { $0 == "pero" || $0 == "sino" }) {
            for index in sentiments.indices {
                if index < pero { sentiments[index] *= 0.5 } else if index > pero { sentiments[index] *= 1.5 }
            }
        }
        let exclamations = text.utf8.count(where: { $0 == UInt8(ascii: "!") })
        let questions = text.utf8.count(where: { $0 == UInt8(ascii: "?") })
        let scores = VaderSentiment.scoreValence(sentiments, exclamations: exclamations, questions: questions)
        return (scores, zip(words, sentiments).map { TokenContribution(token: String($0), valence: $1) })
    }

    /// Exact, then without a plural ending, then the other grammatical gender.
    func lookup(_ word: String) -> Double? {
        if let value = lexicon[word] { return value }
        var candidates: [String] = []
        if word.hasSuffix("es") && word.count > 4 { candidates.append(String(word.dropLast(2))) }
        if word.hasSuffix("s") && word.count > 3 { candidates.append(String(word.dropLast())) }
        for candidate in candidates + [word] {
            if let value = lexicon[candidate] { return value }
            if candidate.hasSuffix("a"), let value = lexicon[String(candidate.dropLast()) + "o"] { return value }
            if candidate.hasSuffix("o"), let value = lexicon[String(candidate.dropLast()) + "a"] { return value }
        }
        return nil
    }

    static let negators: Set<String> = ["no", "nunca", "jamas", "tampoco", "ni", "sin", "nada", "ningun", "ninguna", "ninguno"]

    static let boosters: [String: Double] = {
        var boosters: [String: Double] = [:]
        for word in [
            "muy", "bastante", "super", "sumamente", "extremadamente", "totalmente", "completamente",
            "realmente", "demasiado", "tan", "tanto", "mucho", "muchisimo", "increiblemente", "absolutamente",
            "especialmente", "verdaderamente", "enormemente", "altamente",
        ] {
            boosters[word] = VaderSentiment.bIncrement
        }
        for word in ["poco", "algo", "apenas", "casi", "ligeramente", "medio", "un poco", "regular"] {
            boosters[word] = VaderSentiment.bDecrement
        }
        return boosters
    }()
}

extension Substring {
    var trimmingWhitespace: String {
        String(drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
    }
}
