import Foundation

/// Finds critical terms (safety, violence, weapons, bullying, abuse, self-harm) in a text, in
/// every language of the built-in list (`Resources/critical_terms.tsv`) plus the district's own.
/// A family may write in any language on any form, so every list is tried.
///
/// - Latin-script languages: words are compared case- and accent-insensitively; a plural or
///   common ending of the text's word folds to the term ("bombs" → bomb, not "fight" → fights);
///   words of seven letters or more also match one letter off (ten or more: two), for
///   misspellings ("harasment", "bulying").
/// - Vietnamese: words as written, lowercased (without its marks "bắn", shoot, would be "bạn",
///   friend).
/// - Chinese and Arabic: the term anywhere in the text (Chinese has no spaces; Arabic attaches
///   "and", "the" and prepositions), Arabic after removing short vowels and unifying alef forms.
public struct CriticalTerms: Sendable {
    public struct Term: Sendable, Hashable {
        public var language: String
        public var term: String
        public init(language: String, term: String) {
            self.language = language
            self.term = term
        }
    }

    enum Kind { case latin, words, substring }

    struct Entry: Sendable {
        let term: Term
        let words: [String]
    }

    let wordEntries: [String: [Entry]]
    let fuzzyEntries: [Entry]
    let substringEntries: [(needle: String, term: Term)]

    /// The built-in list, read once.
    public static let builtIn: [Term] = {
        guard let text = try? ScoringResources.text("critical_terms.tsv") else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let parts = line.split(separator: "\t", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            return Term(language: String(parts[0]), term: String(parts[1]))
        }
    }()

    public init(extra: [Term] = [], builtIn: Bool = true) {
        var words: [String: [Entry]] = [:]
        var fuzzy: [Entry] = []
        var substrings: [(String, Term)] = []
        for term in (builtIn ? Self.builtIn : []) + extra {
            switch Self.kind(term.language) {
            case .substring:
                substrings.append((Self.normalizeScript(term.term), term))
            case .words, .latin:
                let entryWords = Self.words(term.term, Self.kind(term.language))
                guard let first = entryWords.first else { continue }
                let entry = Entry(term: term, words: entryWords)
                words[first, default: []].append(entry)
                if Self.kind(term.language) == .latin && entryWords.contains(where: { $0.count >= 7 }) { fuzzy.append(entry) }
            }
        }
        self.wordEntries = words
        self.fuzzyEntries = fuzzy
        self.substringEntries = substrings
    }

    static func kind(_ language: String) -> Kind {
        let base = language.split(separator: "-").first.map(String.init)?.lowercased() ?? language
        switch base {
        case "vi": return .words
        case "zh", "ja", "ko", "ar", "fa", "ur", "th": return .substring
        default: return .latin
        }
    }

    /// The critical terms in `text`, each once, in list order.
    public func matches(_ text: String) -> [Term] {
        var found: [Term] = []
        func add(_ term: Term) { if !found.contains(term) { found.append(term) } }
        let latin = Self.words(text, .latin)
        let plain = Self.words(text, .words)
        for (words, kind) in [(latin, Kind.latin), (plain, Kind.words)] {
            for index in words.indices {
                let candidates = (wordEntries[words[index]] ?? []) + (kind == .latin ? wordEntries[ThemeMatcher.stem(words[index])] ?? [] : [])
                for entry in candidates where Self.kind(entry.term.language) == kind {
                    if Self.matchesAt(index, words, entry.words, fuzzy: false) { add(entry.term) }
                }
                guard kind == .latin, words[index].count >= 6 else { continue }
                for entry in fuzzyEntries where Self.matchesAt(index, words, entry.words, fuzzy: true) { add(entry.term) }
            }
        }
        let script = Self.normalizeScript(text)
        for (needle, term) in substringEntries where script.contains(needle) { add(term) }
        return found
    }

    static func matchesAt(_ index: Int, _ words: [String], _ termWords: [String], fuzzy: Bool) -> Bool {
        guard index + termWords.count <= words.count else { return false }
        for (offset, termWord) in termWords.enumerated() {
            let word = words[index + offset]
            if word == termWord || ThemeMatcher.stem(word) == termWord { continue }
            guard fuzzy, termWord.count >= 7, word.count >= 6 else { return false }
            if !Self.within(word, termWord, termWord.count >= 10 ? 2 : 1) { return false }
        }
        return true
    }

    /// Damerau–Levenshtein distance (adjacent transpositions count one) at most `limit`.
    static func within(_ a: String, _ b: String, _ limit: Int) -> Bool {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        guard abs(a.count - b.count) <= limit else { return false }
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) <= limit }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [Int](repeating: 0, count: b.count + 1)
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] { current[j] = min(current[j], previous2[j - 2] + 1) }
            }
            previous2 = previous
            previous = current
        }
        return previous[b.count] <= limit
    }

    /// Words lowercased; for Latin-script lists also without accents.
    static func words(_ text: String, _ kind: Kind) -> [String] {
        TextFolding.words(text.lowercased()).map { kind == .latin ? TextFolding.fold($0).replacingOccurrences(of: "đ", with: "d") : String($0) }
    }

    /// Arabic without short vowels or tatweel, alef forms unified, taa marbuta as haa, alef
    /// maqsura as yaa; everything lowercased.
    static func normalizeScript(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.lowercased().unicodeScalars {
            switch scalar.value {
            case 0x064B...0x0652, 0x0640, 0x0670: continue
            case 0x0622, 0x0623, 0x0625: result.append("\u{0627}")
            case 0x0629: result.append("\u{0647}")
            case 0x0649: result.append("\u{064A}")
            default: result.append(scalar)
            }
        }
        return String(result)
    }
}
