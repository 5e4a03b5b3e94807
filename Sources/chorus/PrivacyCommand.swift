import ArgumentParser
import Engagement
import Foundation
import Logging
import Postgres
import ServiceLifecycle

struct PrivacyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "privacy",
        abstract: "A person's data: export it, or erase it (records stay, anonymous).",
        subcommands: [Export.self, Erase.self]
    )

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print everything linked to an email or phone as JSON (logged).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The email or phone the person gave.") var contact: String

        func run() async throws {
            let export = try await database.inTransaction { db in
                let export = try await Privacy().export(contact: contact, actor: "cli:\(NSUserName())", on: db)
                // In the audit log too, without the contact itself (masked).
                try await Audit().record("export", "participant", id: nil, new: ["contact": .string("masked")], by: StaffCommand.actor, on: db)
                return export
            }
            try DatabaseOptions.printJSON(export)
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase a person's contact details and unlink their records, keeping anonymous aggregates (logged)."
        )
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The email or phone the person gave.") var contact: String

        func run() async throws {
            let erasure = try await database.inTransaction { db in
                try await Privacy().erase(contact: contact, actor: "cli:\(NSUserName())", on: db)
            }
            print("Erased participant \(erasure.participantID); \(erasure.unlinkedRecords) record(s) kept without them.")
        }
    }
}

/// Purges contact details past their retention date, at start and then daily.
struct RetentionService: Service {
    let database: PostgresClient
    let logger: Logger
    var interval: Duration = .seconds(86_400)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let purged = try await Privacy().purgeExpired(on: database)
                    if purged > 0 { logger.info("purged expired contact details", metadata: ["privacy.count": "\(purged)"]) }
                } catch {
                    logger.warning("retention purge failed", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
