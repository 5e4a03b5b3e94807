import ArgumentParser
import Engagement
import Postgres

/// Maintenance of the scorecard rollups (workers keep them current; see docs/scorecard.md).
struct RollupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollups",
        abstract: "Scorecard rollups: rebuild them, or refresh the days with pending jobs now.",
        subcommands: [Rebuild.self, Refresh.self]
    )

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every rollup from the records (after a bulk load or a scorer version change)."
        )
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await database.inTransaction { try await Rollups.rebuild(on: $0) }
            print("Rollups rebuilt.")
        }
    }

    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recompute now the days marked out of date.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await database.withClient { client in
                let days = try await Rollups(database: client).refreshPending()
                print("\(days) day(s) refreshed.")
            }
        }
    }
}
