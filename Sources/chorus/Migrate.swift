import ArgumentParser
import Foundation
import Postgres

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending schema migrations.")

    @OptionGroup var database: DatabaseOptions

    @Flag(help: "List applied and pending migrations without applying any.")
    var status = false

    func run() async throws {
        let logger = database.makeLogger()
        let migrator = try database.migrator()
        let (client, startedCluster) = try await database.open(logger: logger)
        do {
            if status {
                for entry in try await migrator.status(on: client) {
                    let when = entry.appliedAt.map { " \($0)" } ?? ""
                    print("\(entry.state.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(entry.name)\(when)")
                }
            } else {
                let applied = try await migrator.apply(on: client, logger: logger)
                print(applied.isEmpty ? "Schema is up to date." : "Applied \(applied.count) migration(s).")
            }
        } catch {
            await client.close()
            try? startedCluster?.stop()
            throw error
        }
        await client.close()
        try startedCluster?.stop()
    }
}
