/// The one entry point: language, sentiment, keyphrases and themes for a text, with the scorer
/// version stored beside every score so `chorus rescore` can find stale ones.
public struct TextScorer: Sendable {
    /// Bump when any lexicon, list or rule changes what a text scores.
    public static let version = "chorus-scoring-1 (vader-3.3.2, es-lexicon-1, yake-paper-1)"

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

    public func score(_ text: String) -> TextScore {
        scoreWithExplanation(text).score
    }

    public func scoreWithExplanation(_ text: String) -> (score: TextScore, explanation: [TokenContribution]) {
        let normalized = normalizer.normalize(text)
        let language = guesser.guess(normalized)
        let (sentiment, contributions) =
            language == .es ? spanish.analyze(normalized) : english.analyze(normalized)
        let score = TextScore(
            language: language,
            sentiment: sentiment,
            keyphrases: keyphrases.extract(normalized, language: language, top: keyphraseCount),
            themes: themes.match(normalized),
            version: Self.version
        )
        return (score, contributions.filter { $0.valence != 0 })
    }
}

public struct TextScore: Sendable, Equatable, Codable {
    public var language: Language
    public var sentiment: SentimentScores
    public var keyphrases: [Keyphrase]
    public var themes: [ThemeMatch]
    public var version: String
}
