import Foundation
import Testing

@testable import Scoring

@Suite("Keyphrases and themes")
struct KeyphraseAndThemeTests {
    let extractor = KeyphraseExtractor()

    @Test func findsTheTopicOfAKnownText() {
        let text = """
            The district's laptop program gave every student a Chromebook this fall. Families say the \
            Chromebook program helps with homework, but the wifi at home is often too slow for video \
            lessons. Teachers asked the district for wifi hotspots so that the laptop program reaches \
            every family. The district will buy wifi hotspots in January.
            """
        // yake 0.7.3 ranks this text's top five as "laptop program gave", "gave every student",
        // "Chromebook program", "Chromebook this fall", "district laptop program": first
        // sentences weigh most (§3.2, position).
        let phrases = extractor.extract(text, language: .en, top: 5).map { $0.phrase.lowercased() }
        #expect(phrases.count == 5)
        let reference = ["laptop program gave", "gave every student", "chromebook program", "chromebook this fall", "district laptop program"]
        let ours = Set(phrases.map { $0.replacingOccurrences(of: "'s", with: "") })
        #expect(reference.filter(ours.contains).count >= 3, "\(phrases)")
        // No phrase starts or ends with a stopword.
        for phrase in phrases {
            let words = phrase.split(separator: " ").map(String.init)
            #expect(!Stopwords.english.contains(words.first!) && !Stopwords.english.contains(words.last!), "\(phrase)")
            #expect(words.count <= 3)
        }
    }

    @Test func scoresAreOrderedAndNearDuplicatesRemoved() {
        let text = "Parent portal. The parent portal is slow. Parent portals crash. The new parent portal login fails."
        let phrases = extractor.extract(text, language: .en, top: 10)
        #expect(zip(phrases, phrases.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(phrases.allSatisfy { $0.score > 0 && $0.score <= 1 })
        let keys = phrases.map { $0.phrase.lowercased() }
        #expect(keys.filter { $0 == "parent portal" || $0 == "parent portals" }.count == 1)
    }

    @Test func spanishUsesSpanishStopwords() {
        let text = "El programa de tutorías es muy bueno. Las tutorías de matemáticas ayudan a mi hija con la tarea."
        let phrases = extractor.extract(text, language: .es, top: 5).map { $0.phrase.lowercased() }
        #expect(phrases.contains(where: { $0.contains("tutorías") }))
        #expect(!phrases.contains(where: { ["el", "de", "la", "es", "con"].contains(String($0.split(separator: " ").first!)) }))
    }

    @Test func degenerateInputs() {
        #expect(extractor.extract("", language: .en).isEmpty)
        #expect(extractor.extract("   \n\t ", language: .en).isEmpty)
        #expect(extractor.extract("the and of", language: .en).isEmpty)
        #expect(extractor.extract("12345 678", language: .en).isEmpty)
        #expect(extractor.extract("🎒🎒🎒", language: .en).isEmpty)
        #expect(extractor.extract("school", language: .en, top: 0).isEmpty)
    }

    @Test func themesMatchCaseAccentsAndInflections() {
        let matcher = ThemeMatcher(themes: [
            Theme(name: "technology", keywords: ["wifi", "laptop", "chromebook", "tecnología"]),
            Theme(name: "safety", keywords: ["bus stop", "crossing guard"]),
            Theme(name: "food", keywords: ["cafeteria", "lunch"]),
        ])
        let matches = matcher.match("The CHROMEBOOKS and Wi-Fi are fine, la TECNOLOGIA también; the Bus Stops need a crossing guard.")
        #expect(matches.map(\.theme) == ["technology", "safety"])
        #expect(matches[0].matched == ["CHROMEBOOKS", "TECNOLOGIA"])
        #expect(matches[1].matched == ["Bus Stops", "crossing guard"])
        #expect(matcher.match("nothing relevant here").isEmpty)
        #expect(ThemeMatcher(themes: []).match("wifi").isEmpty)
    }

    @Test func similarityIsLevenshteinRatio() {
        #expect(KeyphraseExtractor.similarity(Array("parent portal".utf8), Array("parent portals".utf8)) > 0.9)
        #expect(KeyphraseExtractor.similarity(Array("bus".utf8), Array("laptop".utf8)) < 0.2)
        #expect(KeyphraseExtractor.similarity(Array("abc".utf8), Array("abc".utf8)) == 1)
    }
}

@Suite("TextScorer and bad input")
struct TextScorerTests {
    let scorer: TextScorer

    init() throws {
        scorer = try TextScorer(themes: [Theme(name: "technology", keywords: ["wifi", "laptop"])])
    }

    @Test func scoresEnglishAndSpanishWithOneEntryPoint() {
        let english = scorer.score("The wifi is terrible, but the new laptops are great!")
        #expect(english.language == "en")
        #expect(english.sentiment?.compound ?? .nan > 0)
        #expect(english.themes.map(\.theme) == ["technology"])
        #expect(!english.keyphrases.isEmpty)
        #expect(english.version == TextScorer.version)
        let spanish = scorer.score("El wifi de la escuela es pésimo y nadie lo arregla.")
        #expect(spanish.language == "es")
        #expect(spanish.sentiment?.compound ?? .nan < 0)
        #expect(spanish.themes.map(\.theme) == ["technology"])
    }

    @Test func explanationNamesTheTokensThatCarriedSentiment() {
        let (score, explanation) = scorer.scoreWithExplanation("The teacher is kind but the bus is awful")
        #expect(score.sentiment?.compound ?? .nan < 0)
        #expect(explanation.map(\.token) == ["kind", "awful"])
        #expect(explanation[0].valence > 0 && explanation[1].valence < 0)
    }

    @Test func curlyApostrophesNegateLikeStraightOnes() {
        #expect(scorer.score("I don’t like it").sentiment == scorer.score("I don't like it").sentiment)
    }

    @Test func badInputHasADefinedResult() {
        let empty = scorer.score("")
        #expect(empty.sentiment == SentimentScores(neg: 0, neu: 0, pos: 0, compound: 0))
        #expect(empty.language == "und")
        #expect(empty.keyphrases.isEmpty)
        #expect(scorer.score("   \n\t").sentiment?.compound == 0)
        let withNUL = scorer.score("good\u{0}bad\u{0}")
        #expect((withNUL.sentiment?.compound ?? 0) != 0)
        let replacement = scorer.score(String(decoding: [0x67, 0x6F, 0x6F, 0x64, 0xFF, 0xFE], as: UTF8.self))
        #expect(replacement.language == "en")
        // 1 MB of text completes and stays within the score ranges.
        let big = String(repeating: "The new laptop program is great but the wifi is slow. ", count: 19_000)
        #expect(big.utf8.count > 1_000_000)
        let bigScore = scorer.score(big)
        #expect((-1...1).contains(bigScore.sentiment?.compound ?? .nan))
        #expect(bigScore.keyphrases.count >= 5)
    }
}
