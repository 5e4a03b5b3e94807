import ArgumentParser
import Engagement
import Postgres

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load a realistic demo district (deterministic for a seed).")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Random seed: the same seed gives the same district.") var seed = 42
    @Option(
        help: """
            Multiply the volumes (responses, comments, events, people), or `district`: 1,000,000 responses, \
            300,000 attendance rows and 100,000 sign-ups over 50 initiatives (texts scored at load).
            """
    )
    var scale = "1"
    @Flag(name: .customLong("if-empty"), help: "Do nothing when the database already has initiatives.") var ifEmpty = false

    func run() async throws {
        try await database.withClient { client in
            let size: DemoDistrict.Size
            if scale == "district" {
                size = .district
            } else if let factor = Int(scale), factor >= 1, factor <= 1000 {
                size = .scaled(factor)
            } else {
                throw ValidationError("--scale must be a whole number from 1 to 1000, or district")
            }
            let demo = DemoDistrict(seed: seed, size: size)
            if try await !demo.isEmpty(on: client) {
                if ifEmpty {
                    print("The database already has data; no demo loaded.")
                    return
                }
                throw ValidationError("the database already has initiatives; load the demo into an empty database")
            }
            let summary = try await demo.load(on: client)
            print("Demo district loaded: \(summary).")
        }
    }
}
