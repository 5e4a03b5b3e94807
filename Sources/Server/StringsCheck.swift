import Engagement
import Foundation

/// `chorus strings check`: per language, the keys the pages use that its file lacks (`missing`)
/// and the keys it has that no page uses (`unused`). English and Spanish must be complete; any
/// other language may lack keys, which then show in the district's default language.
public struct StringsCheck: Sendable {
    /// The languages whose files must have every key: the pages' fallbacks.
    public static let complete: Set<String> = ["en", "es"]

    public struct Language: Sendable, Equatable {
        public let code: String
        public let missing: [String]
        public let unused: [String]
        public var mustBeComplete: Bool { StringsCheck.complete.contains(code) }
        public var passes: Bool { !mustBeComplete || missing.isEmpty }
    }

    public let languages: [Language]
    public var passes: Bool { languages.allSatisfy(\.passes) && Self.complete.allSatisfy { code in languages.contains { $0.code == code } } }

    /// The shipped files with the district's (`CHORUS_STRINGS_DIR`) over them, against the
    /// shipped templates.
    public init(overrides: String? = ProcessInfo.processInfo.environment["CHORUS_STRINGS_DIR"]) throws {
        try self.init(table: WebStrings(overrides: overrides).table, templates: Array(try WebPages.templates().values))
    }

    init(table: [String: [String: String]], templates: [String]) {
        let used = WebStrings.codeKeys.union(templates.flatMap(Self.keys(inTemplate:)))
        languages = table.keys.sorted().map { code in
            let strings = Set((table[code] ?? [:]).keys)
            let forms = Self.pluralCategories(code)
            let plurals = Set(WebStrings.pluralKeys.flatMap { key in forms.map { "\(key).\($0)" } })
            let expected = used.union(plurals)
            return Language(code: code, missing: expected.subtracting(strings).sorted(), unused: strings.subtracting(expected).sorted())
        }
    }

    /// The `{{t.key}}` references of a Mustache template.
    static func keys(inTemplate text: String) -> [String] {
        text.matches(of: /\bt\.([a-z0-9_]+(?:\.[a-z0-9_]+)*)/).map { String($0.output.1) }
    }

    /// The CLDR plural categories a language uses for whole numbers up to 1,000 (`other`
    /// always): the forms its file needs for each counted phrase.
    static func pluralCategories(_ code: String) -> Set<String> {
        Set((0...1000).map { PluralRules.category(PageLanguage.primary(code), $0) }).union(["other"])
    }

    /// One line per finding, for people.
    public var report: String {
        var lines: [String] = []
        for language in languages {
            let state =
                language.missing.isEmpty ? "complete" : language.mustBeComplete ? "INCOMPLETE" : "falls back for \(language.missing.count) key(s)"
            lines.append("\(language.code): \(state)")
            if !language.missing.isEmpty { lines.append("  missing: " + language.missing.joined(separator: ", ")) }
            if !language.unused.isEmpty { lines.append("  unused: " + language.unused.joined(separator: ", ")) }
        }
        for code in Self.complete.sorted() where !languages.contains(where: { $0.code == code }) {
            lines.append("\(code): MISSING FILE")
        }
        return lines.joined(separator: "\n")
    }
}
