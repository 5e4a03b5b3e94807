import Foundation
import Scoring
import Testing

@Suite("Spanish sentiment and language guess")
struct SpanishSentimentTests {
    static func labeled() throws -> [(positive: Bool, text: String)] {
        let url = try #require(Bundle.module.url(forResource: "spanish_comments", withExtension: "tsv", subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap { line in
            if line.hasPrefix("#") { return nil }
            let fields = line.split(separator: "\t", maxSplits: 1)
            guard fields.count == 2 else { return nil }
            return (fields[0] == "pos", String(fields[1]))
        }
    }

    @Test func accuracyOnLabeledComments() throws {
        let spanish = try SpanishSentiment.bundled()
        let comments = try Self.labeled()
        #expect(comments.count >= 300)
        var correct = 0
        var wrong: [String] = []
        for comment in comments {
            let compound = spanish.polarityScores(comment.text).compound
            // A neutral score counts as wrong: the set holds only clearly positive or negative comments.
            if (compound > 0) == comment.positive && compound != 0 {
                correct += 1
            } else {
                wrong.append("\(comment.positive ? "pos" : "neg") \(compound) \(comment.text)")
            }
        }
        let accuracy = Double(correct) / Double(comments.count)
        print("Spanish accuracy: \(correct)/\(comments.count) = \(accuracy)")
        #expect(accuracy >= 0.75, "accuracy \(accuracy); wrong:\n\(wrong.joined(separator: "\n"))")
    }

    @Test func negationBoostersAndPero() throws {
        let spanish = try SpanishSentiment.bundled()
        let good = spanish.polarityScores("La maestra es buena").compound
        #expect(good > 0)
        #expect(spanish.polarityScores("La maestra no es buena").compound < 0)
        #expect(spanish.polarityScores("La maestra nunca es buena").compound < 0)
        #expect(spanish.polarityScores("La maestra es muy buena").compound > good)
        #expect(spanish.polarityScores("La maestra es BUENA y la clase es grande").compound > good)
        #expect(spanish.polarityScores("La maestra es buena!!!").compound > good)
        #expect(spanish.polarityScores("La escuela es bonita pero el servicio es terrible").compound < 0)
        // Accent- and case-insensitive, plural and gender forms.
        #expect(spanish.polarityScores("PÉSIMO").compound == spanish.polarityScores("pesimo").compound)
        #expect(spanish.polarityScores("maestras maravillosas").compound > 0)
        #expect(spanish.polarityScores("").compound == 0)
    }

    @Test func languageGuess() throws {
        let guesser = LanguageGuesser()
        #expect(guesser.guess("The teacher was great and my kids love the school") == .en)
        #expect(guesser.guess("La maestra es muy buena y mis hijos están felices") == .es)
        #expect(guesser.guess("¡Gracias!") == .es)
        #expect(guesser.guess("Thanks!") == .en)
        #expect(guesser.guess("12345") == .und)
        #expect(guesser.guess("") == .und)
        #expect(guesser.guess("👍👍") == .und)
        let comments = try Self.labeled()
        let spanishShare = Double(comments.count(where: { guesser.guess($0.text) == .es })) / Double(comments.count)
        #expect(spanishShare >= 0.97, "guessed Spanish for \(spanishShare)")
        let english = try VaderOracleTests.cases().prefix(15)
        #expect(english.allSatisfy { guesser.guess($0.text) == .en })
    }
}
