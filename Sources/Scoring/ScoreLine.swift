/// One output line of `chorus score`: a text's score (with the tokens that carried sentiment
/// under `--explain`), or why an input line could not be scored. `Encodable` for the property
/// test that holds `write(to:)` to JSONEncoder's bytes; the command writes with `write(to:)`.
public enum ScoreLine: Encodable, Equatable {
    case score(TextScore, explanation: [TokenContribution]?)
    case failure(line: Int, error: String)

    enum CodingKeys: String, CodingKey {
        case language, sentiment, keyphrases, themes, version, explanation, line, error
        case languageConfidence = "language_confidence"
        case sentimentScored = "sentiment_scored"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .score(let score, let explanation):
            try container.encode(score.language, forKey: .language)
            try container.encode(score.languageConfidence, forKey: .languageConfidence)
            try container.encodeIfPresent(score.sentiment, forKey: .sentiment)
            try container.encode(score.sentiment != nil, forKey: .sentimentScored)
            try container.encode(score.keyphrases, forKey: .keyphrases)
            try container.encode(score.themes, forKey: .themes)
            try container.encode(score.version, forKey: .version)
            try container.encodeIfPresent(explanation, forKey: .explanation)
        case .failure(let line, let error):
            try container.encode(line, forKey: .line)
            try container.encode(error, forKey: .error)
        }
    }

    /// The line's JSON, keys in sorted order, as JSONEncoder with `.sortedKeys` and
    /// `.withoutEscapingSlashes` writes it.
    public func write(to out: inout JSONLines.Writer) {
        switch self {
        case .failure(let line, let error):
            out.raw(#"{"error":"#)
            out.string(error)
            out.raw(#","line":"#)
            out.number(line)
            out.raw("}")
        case .score(let score, let explanation):
            out.raw("{")
            if let explanation {
                out.raw(#""explanation":"#)
                out.array(explanation) { out, token in
                    out.raw(#"{"token":"#)
                    out.string(token.token)
                    out.raw(#","valence":"#)
                    out.number(token.valence)
                    out.raw("}")
                }
                out.raw(",")
            }
            out.raw(#""keyphrases":"#)
            out.array(score.keyphrases) { out, keyphrase in
                out.raw(#"{"phrase":"#)
                out.string(keyphrase.phrase)
                out.raw(#","score":"#)
                out.number(keyphrase.score)
                out.raw("}")
            }
            out.raw(#","language":"#)
            out.string(score.language)
            out.raw(#","language_confidence":"#)
            out.number(score.languageConfidence)
            if let sentiment = score.sentiment {
                out.raw(#","sentiment":{"compound":"#)
                out.number(sentiment.compound)
                out.raw(#","neg":"#)
                out.number(sentiment.neg)
                out.raw(#","neu":"#)
                out.number(sentiment.neu)
                out.raw(#","pos":"#)
                out.number(sentiment.pos)
                out.raw("}")
            }
            out.raw(#","sentiment_scored":"#)
            out.bool(score.sentiment != nil)
            out.raw(#","themes":"#)
            out.array(score.themes) { out, theme in
                out.raw(#"{"matched":"#)
                out.array(theme.matched) { $0.string($1) }
                out.raw(#","theme":"#)
                out.string(theme.theme)
                out.raw("}")
            }
            out.raw(#","version":"#)
            out.string(score.version)
            out.raw("}")
        }
    }
}
