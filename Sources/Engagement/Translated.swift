import Foundation

/// A text families see, per language: BCP 47 tag to text, stored as one `jsonb` object per
/// column (Schema/0010). The district's default language is always present (validation sees to
/// it); any other may be missing and then falls back to the default, marked as a fallback so a
/// page can say which language it shows (`lang=`) and staff can see what is left to translate.
public struct Translated: Sendable, Equatable, Hashable, Codable {
    public var texts: [String: String]

    public init(_ texts: [String: String] = [:]) {
        self.texts = texts
    }

    public init(from decoder: any Decoder) throws {
        texts = try decoder.singleValueContainer().decode([String: String].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(texts)
    }

    public subscript(_ language: String) -> String? {
        get { texts[language] }
        set { texts[language] = newValue }
    }

    public var isEmpty: Bool { texts.isEmpty }

    /// These texts with `other`'s laid over them, language by language (a PATCH).
    public func merging(_ other: Translated?) -> Translated {
        Translated(texts.merging(other?.texts ?? [:]) { $1 })
    }

    /// The text in `language`, else in `fallback`, else in any language (the alphabetically first,
    /// so the choice is stable); `language` says which one it is.
    public func resolved(_ language: String, fallback: String) -> (text: String, language: String, isFallback: Bool) {
        if let text = texts[language] { return (text, language, false) }
        if let text = texts[fallback] { return (text, fallback, true) }
        if let any = texts.keys.sorted().first, let text = texts[any] { return (text, any, true) }
        return ("", fallback, true)
    }

    /// Shorthand for `resolved(_:fallback:).text`.
    public func text(_ language: String, fallback: String) -> String {
        resolved(language, fallback: fallback).text
    }
}

extension Validator {
    /// A translated text: every language one the district offers, each text as `text(_:...)`
    /// checks it, and the default language present when the text is required.
    mutating func translated(
        _ value: Translated?,
        _ field: String,
        min: Int = 0,
        max: Int,
        required: Bool,
        languages: LanguageSet
    ) {
        guard let value else {
            if required { add("\(field).\(languages.defaultLanguage)", "must not be empty") }
            return
        }
        for (language, text) in value.texts.sorted(by: { $0.key < $1.key }) {
            if !languages.offered.contains(language) {
                add("\(field).\(language)", "is not a language the district offers (\(languages.offered.joined(separator: ", ")))")
            }
            self.text(text, "\(field).\(language)", min: min, max: max)
        }
        if required && value[languages.defaultLanguage] == nil {
            add("\(field).\(languages.defaultLanguage)", "must be given in the district's default language")
        }
    }
}

/// The languages a district offers and its default, as validation and the pages need them.
public struct LanguageSet: Sendable, Equatable {
    public var offered: [String]
    public var defaultLanguage: String

    public init(offered: [String], defaultLanguage: String) {
        self.offered = offered
        self.defaultLanguage = defaultLanguage
    }

    public static let english = LanguageSet(offered: ["en", "es"], defaultLanguage: "en")

    /// The offered languages a set of texts lacks, in the district's order.
    public func missing(in texts: [Translated?]) -> [String] {
        let present = texts.compactMap { $0 }.filter { !$0.isEmpty }
        return offered.filter { language in present.contains { $0[language] == nil } }
    }
}

extension DistrictSettings {
    public var languageSet: LanguageSet { LanguageSet(offered: languages, defaultLanguage: defaultLanguage) }
}
