import Scoring

/// `chorus score` input lines: JSON lines when the first byte is `{`, plain text otherwise, then
/// the whole scorer (language, sentiment, keyphrases, themes) on the text.
extension FuzzTarget {
    private static let scorer = try? TextScorer(themes: [Theme(name: "technology", keywords: ["wifi", "chromebook"])])

    static let scoreLine = FuzzTarget(name: "scoreline") { bytes in
        let line = String(decoding: bytes, as: UTF8.self)
        let text = line.first == "{" ? (try? JSONLines.request(line).text) ?? line : line
        _ = scorer?.scoreWithExplanation(text)
    }
}
