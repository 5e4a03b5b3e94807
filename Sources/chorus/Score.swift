import ArgumentParser

struct Score: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Score texts for sentiment, keyphrases and themes.")

    func run() async throws {
        throw ValidationError("not yet available")
    }
}
