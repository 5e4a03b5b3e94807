import Engagement

// Texts families see are stored per language (`Translated`). The API gives each as `X` (the
// district's default language), `X_translations` (every language) and, for survey texts, the
// earlier `X_en`/`X_es` (deprecated aliases; see docs/decisions.md, "Texts in every language").

extension API {
    /// Reads with the district's languages, which answer the default-language fields.
    func readTexts<T: Sendable>(_ body: (Store.Connection) async throws -> T) async throws -> (T, LanguageSet) {
        try await database.snapshot { db in (try await body(db), try await DistrictSettings.current(on: db).languageSet) }
    }
}

extension Translated {
    /// From a request: the per-language map, the deprecated `_en`/`_es` aliases over it, and the
    /// default-language text over those; nil when none was given (a patch leaves it alone).
    init?(
        _ text: String?,
        _ translations: Components.Schemas.Translations?,
        en: String? = nil,
        es: String? = nil,
        languages: LanguageSet
    ) {
        guard text != nil || translations != nil || en != nil || es != nil else { return nil }
        var texts = translations?.additionalProperties ?? [:]
        if let en { texts["en"] = en }
        if let es { texts["es"] = es }
        if let text { texts[languages.defaultLanguage] = text }
        self.init(texts)
    }

    var schema: Components.Schemas.Translations { .init(additionalProperties: texts) }

    func text(_ languages: LanguageSet) -> String { text(languages.defaultLanguage, fallback: languages.defaultLanguage) }

    /// The text in `language`, falling back to the default language (the deprecated aliases).
    func text(_ language: String, _ languages: LanguageSet) -> String { text(language, fallback: languages.defaultLanguage) }
}
