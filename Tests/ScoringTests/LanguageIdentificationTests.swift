import Testing

@testable import Scoring

/// Language identification (issue 13): every language Chorus tells apart, short texts taking the
/// form's language, and no English lexicon read on another language. The figures on thousands
/// of texts are in docs/scoring.md (Deploy/bench/language_id).
struct LanguageIdentificationTests {
    let guesser = LanguageGuesser()

    @Test func sentencesInEachLanguage() {
        let sentences: [(String, Language)] = [
            ("The bus was late again and nobody told us why", .en),
            ("El autobús llegó tarde otra vez y nadie nos dijo por qué", .es),
            ("Le bus est encore en retard et personne ne nous a prévenus", .fr),
            ("O ônibus atrasou de novo e ninguém nos avisou nada", .pt),
            ("Xe buýt lại đến trễ và không ai báo cho chúng tôi biết", .vi),
            ("校车又迟到了，没有人告诉我们原因", .zh),
            ("تأخرت الحافلة مرة أخرى ولم يخبرنا أحد بالسبب", .ar),
            ("አውቶቡሱ እንደገና ዘገየ ማንም አልነገረንም", .am),
            ("Bis la an reta ankò e pèsonn pa di nou poukisa mwen pa konnen", .ht),
        ]
        for (text, language) in sentences {
            #expect(guesser.guess(text) == language, "\(text)")
        }
    }

    @Test func shortTextsTakeTheFormsLanguageUnlessTheScriptSaysOtherwise() {
        for text in ["well done", "no comment", "me too", "so so", "ok", "love it", "Gracias", "Muy bien"] {
            #expect(guesser.language(of: text, formLanguage: "en").tag == "en", "\(text)")
        }
        #expect(guesser.language(of: "no comment", formLanguage: "es").tag == "es")
        #expect(guesser.language(of: "谢谢老师", formLanguage: "en").tag == "zh")
        #expect(guesser.language(of: "Cảm ơn", formLanguage: "en").tag == "vi")
        #expect(guesser.language(of: "شكرا", formLanguage: "es").tag == "ar")
        // The form's own tag where it names the same language.
        #expect(guesser.language(of: "学校很好，老师很认真", formLanguage: "zh-Hans").tag == "zh-Hans")
        #expect(guesser.language(of: "👍👍", formLanguage: nil).tag == "und")
    }

    @Test func onlyEnglishAndSpanishAreScoredForSentiment() throws {
        let scorer = try TextScorer()
        let french = scorer.score("Merci pour la soirée des familles, l'atelier était très utile.", formLanguage: "fr")
        #expect(french.language == "fr" && french.sentiment == nil && french.keyphrases.isEmpty)
        let vietnamese = scorer.score("Con gái tôi rất thích chương trình đọc sách của trường.", formLanguage: "vi")
        #expect(vietnamese.language == "vi" && vietnamese.sentiment == nil)
        // A French comment on an English form is still French, not read with VADER.
        #expect(scorer.score("Les devoirs de mathématiques sont difficiles pour nous", formLanguage: "en").sentiment == nil)
        let english = scorer.score("The teachers are wonderful and kind", formLanguage: "en")
        #expect(english.language == "en" && (english.sentiment?.compound ?? 0) > 0.5 && !english.keyphrases.isEmpty)
        let spanish = scorer.score("Las maestras son muy amables y siempre responden", formLanguage: "es")
        #expect(spanish.language == "es" && (spanish.sentiment?.compound ?? 0) > 0)
    }
}
