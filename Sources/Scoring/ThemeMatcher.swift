/// A theme of an initiative and the keywords that signal it (`wifi`, `laptop`, `chromebook` →
/// technology).
public struct Theme: Sendable, Equatable, Codable {
    public var name: String
    public var keywords: [String]

    public init(name: String, keywords: [String]) {
        self.name = name
        self.keywords = keywords
    }
}

public struct ThemeMatch: Sendable, Equatable, Codable {
    public var theme: String
    /// The words of the text that matched, as written.
    public var matched: [String]
}

/// Matches themes case- and accent-insensitively with light stemming (plural and common English
/// and Spanish endings are removed from both keywords and text), so "Chromebooks" matches
/// `chromebook` and "tecnología" matches `tecnologia`. Multi-word keywords match consecutive words.
public struct ThemeMatcher: Sendable {
    struct Keyword: Sendable {
        let stems: [String]
        let theme: Int
    }

    let themes: [Theme]
    /// Keywords by the stem of their first word.
    let keywordsByFirstStem: [String: [Keyword]]

    public init(themes: [Theme]) {
        self.themes = themes
        var index: [String: [Keyword]] = [:]
        for (position, theme) in themes.enumerated() {
            for keyword in theme.keywords {
                let stems = TextFolding.words(keyword).map { Self.stem(TextFolding.fold($0)) }
                guard let first = stems.first else { continue }
                index[first, default: []].append(Keyword(stems: stems, theme: position))
            }
        }
        self.keywordsByFirstStem = index
    }

    public func match(_ text: String) -> [ThemeMatch] {
        guard !keywordsByFirstStem.isEmpty else { return [] }
        let words = TextFolding.words(text)
        let stems = words.map { Self.stem(TextFolding.fold($0)) }
        var matched: [Int: [String]] = [:]
        for index in stems.indices {
            for keyword in keywordsByFirstStem[stems[index]] ?? [] {
                let end = index + keyword.stems.count
                guard end <= stems.count, Array(stems[index..<end]) == keyword.stems else { continue }
                let phrase = words[index..<end].joined(separator: " ")
                if !(matched[keyword.theme]?.contains(phrase) ?? false) { matched[keyword.theme, default: []].append(phrase) }
            }
        }
        return matched.sorted { $0.key < $1.key }.map { ThemeMatch(theme: themes[$0.key].name, matched: $0.value) }
    }

    /// Light stemming: strips one common inflectional ending, keeping at least four letters.
    static func stem(_ word: String) -> String {
        for suffix in ["ies", "es", "s", "ing", "ed"] where word.count - suffix.count >= 4 && word.hasSuffix(suffix) {
            let stem = String(word.dropLast(suffix.count))
            return suffix == "ies" ? stem + "y" : stem
        }
        return word
    }
}
