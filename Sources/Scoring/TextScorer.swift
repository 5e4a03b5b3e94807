/// The one entry point: language, sentiment, keyphrases and themes for a text, with the scorer
/// version stored beside every score so `chorus rescore` can find stale ones.
public struct TextScorer: Sendable {
    /// Bump when any lexicon, list or rule changes what a text scores.
    public static let version = "chorus-scoring-2 (vader-3.3.2, es-lexicon-1, yake-paper-1, langid-1)"

    let normalizer = TextNormalizer()
    let guesser = LanguageGuesser()
    let english: VaderSentiment
    let spanish: SpanishSentiment
    let keyphrases = KeyphraseExtractor()
    let themes: ThemeMatcher
    public var keyphraseCount = 10

    public init(themes: [Theme] = []) throws {
        self.english = try VaderSentiment.bundled()
        self.spanish = try SpanishSentiment.bundled()
        self.themes = ThemeMatcher(themes: themes)
    }

    init(english: VaderSentiment, spanish: SpanishSentiment, themes: ThemeMatcher) {
        self.english = english
        self.spanish = spanish
        self.themes = themes
    }

    /// The same scorer with other themes (lexicons are shared, not reloaded).
    public func with(themes: [Theme]) -> TextScorer {
        var copy = TextScorer(english: english, spanish: spanish, themes: ThemeMatcher(themes: themes))
        copy.keyphraseCount = keyphraseCount
        return copy
    }

    /// `formLanguage`: the language of the form the text was written in (a BCP 47 tag), which
    /// a text too short to tell is taken to be in.
    public func score(_ text: String, formLanguage: String? = nil) -> TextScore {
        scoreWithExplanation(text, formLanguage: formLanguage).score
    }

    public func scoreWithExplanation(_ text: String, formLanguage: String? = nil) -> (score: TextScore, explanation: [TokenContribution]) {
        let normalized = normalizer.normalize(text)
        let found = guesser.language(of: normalized, formLanguage: formLanguage)
        // A language without a model is not scored: the English lexicon read on French or
        // Vietnamese finds noise, not feelings. Undetermined texts (emoji, numbers, names) are
        // read by VADER, whose emoji and punctuation rules hold in any language.
        var sentiment: SentimentScores?
        var contributions: [TokenContribution] = []
        switch found.language {
        case .es: (sentiment, contributions) = spanish.analyze(normalized)
        case .en, .und: (sentiment, contributions) = english.analyze(normalized)
        default: break
        }
        let stopwords: Language? = found.language == .und ? .en : found.language.hasStopwords ? found.language : nil
        let score = TextScore(
            language: found.tag,
            languageConfidence: (found.confidence * 1000).rounded() / 1000,
            sentiment: sentiment,
            keyphrases: stopwords.map { keyphrases.extract(normalized, language: $0, top: keyphraseCount) } ?? [],
            themes: themes.match(normalized),
            version: Self.version
        )
        return (score, contributions.filter { $0.valence != 0 })
    }
}

public struct TextScore: Sendable, Equatable, Codable {
    /// BCP 47: the identified language, or the form's for a text too short to tell; `und` when
    /// neither says.
    public var language: String
    public var languageConfidence: Double
    /// Nil for a language without a sentiment model: stored as not scored.
    public var sentiment: SentimentScores?
    public var keyphrases: [Keyphrase]
    public var themes: [ThemeMatch]
    public var version: String

    enum CodingKeys: String, CodingKey {
        case language, sentiment, keyphrases, themes, version
        case languageConfidence = "language_confidence"
    }
}
