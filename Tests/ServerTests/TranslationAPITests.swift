import Engagement
import Foundation
import HTTPTypes
import Postgres
import Testing

/// Texts in every language over the API (issue 13): the earlier EN/ES fields still work, the
/// per-language form takes any offered language, a missing one falls back and is listed.
@Suite("Translations in the API (HTTP + PostgreSQL)")
struct TranslationAPITests {
    static func offer(_ languages: [String], _ api: APIFixture) async throws {
        try await api.database.withTransaction { try await DistrictSettings.update(.init(languages: languages), actor: "test", on: $0) }
    }

    @Test func theEarlierEnglishAndSpanishFieldsStillCreateAndRead() async throws {
        try await withAPI { api in
            let seed = try await api.seed()  // written with title_en/title_es, prompt_en/…, label_en/…
            let survey = try await api.call(.get, "/api/v1/surveys/\(seed.survey)")
            #expect(survey.status == .ok)
            #expect(survey.json["title"] as? String == "Laptops")
            #expect(survey.json["title_translations"] as? [String: String] == ["en": "Laptops", "es": "Portátiles"])
            #expect(survey.json["title_en"] as? String == "Laptops" && survey.json["title_es"] as? String == "Portátiles")
            #expect(survey.json["missing_translations"] as? [String] == [])
            let question = try #require((survey.json["questions"] as? [[String: Any]])?[1])
            #expect(question["prompt_translations"] as? [String: String] == ["en": "Device?", "es": "¿Equipo?"])
            let choice = try #require((question["choices"] as? [[String: Any]])?.first)
            #expect(choice["label_translations"] as? [String: String] == ["en": "Laptop", "es": "Portátil"])
            #expect(choice["label_es"] as? String == "Portátil")
        }
    }

    @Test func aVietnameseSurveyFallsBackToEnglishWhereUntranslatedAndSaysSo() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            try await Self.offer(["en", "es", "vi"], api)
            let created = try await api.call(
                .post,
                "/api/v1/surveys",
                token: api.admin,
                json: [
                    "initiative_id": seed.initiative, "title": "Family survey", "title_translations": ["vi": "Khảo sát gia đình"],
                    "opens_at": "2025-01-01T00:00:00Z",
                    "questions": [
                        [
                            "kind": "choice", "prompt_translations": ["en": "Which?", "vi": "Cái nào?", "es": "¿Cuál?"],
                            "choices": [
                                ["value": "a", "label": "Bus", "label_translations": ["vi": "Xe buýt"]], ["value": "b", "label": "Car"],
                            ],
                        ]
                    ],
                ]
            )
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["title_translations"] as? [String: String] == ["en": "Family survey", "vi": "Khảo sát gia đình"])
            // No Spanish title, and choice b is English only: es and vi are untranslated somewhere.
            #expect(created.json["missing_translations"] as? [String] == ["es", "vi"])
            #expect(created.json["title_es"] as? String == "Family survey")

            var visitor = Visitor(api: api)
            let page = try await visitor.get("/surveys/\(created.id)?lang=vi")
            #expect(page.status == .ok && page.html.contains(#"<html lang="vi" dir="ltr">"#))
            #expect(page.html.contains("<h1>Khảo sát gia đình</h1>") && page.html.contains("<span>Cái nào?</span>"))
            #expect(page.html.contains("Xe buýt"))
            let spanish = try await visitor.get("/surveys/\(created.id)?lang=es")
            #expect(spanish.html.contains(#"<h1 lang="en">Family survey</h1>"#), "a fallback says its language")
        }
    }

    @Test func aLanguageNotOfferedOrAMissingDefaultIsRefusedByField() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let before = try await api.count("surveys")
            let question: [String: Any] = ["kind": "text", "prompt": "Tell us"]
            let french = try await api.call(
                .post,
                "/api/v1/surveys",
                token: api.admin,
                json: [
                    "initiative_id": seed.initiative, "title": "S", "title_translations": ["fr": "Sondage"], "opens_at": "2025-01-01T00:00:00Z",
                    "questions": [question],
                ]
            )
            #expect(french.status == .unprocessableContent && french.problemFields == ["title.fr"], "\(french.text)")
            let noDefault = try await api.call(
                .post,
                "/api/v1/surveys",
                token: api.admin,
                json: [
                    "initiative_id": seed.initiative, "title_translations": ["es": "Encuesta"], "opens_at": "2025-01-01T00:00:00Z",
                    "questions": [question],
                ]
            )
            #expect(noDefault.status == .unprocessableContent && noDefault.problemFields == ["title.en"], "\(noDefault.text)")
            #expect(try await api.count("surveys") == before)
        }
    }

    @Test func anInitiativePatchMergesItsTranslations() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let patched = try await api.call(
                .patch,
                "/api/v1/initiatives/\(seed.initiative)",
                token: api.admin,
                json: ["title_translations": ["es": "Tecnología"]]
            )
            #expect(patched.status == .ok, "\(patched.text)")
            let titles = patched.json["title_translations"] as? [String: String]
            #expect(titles?["es"] == "Tecnología" && titles?["en"] == patched.json["title"] as? String && titles?["en"] != nil)
        }
    }
}
