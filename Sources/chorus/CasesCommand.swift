import ArgumentParser
import Engagement
import Foundation

/// `chorus cases`: the inbox from the server's shell (issue 17), as the console and
/// `GET /api/v1/cases` show it: every case, no contact, only whether the family can be emailed.
/// Changes are audited as `cli:<user>`, or as a staff account with `--as`.
struct CasesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases",
        abstract: "List and handle cases: comments and follow-up answers, with their owners and replies.",
        subcommands: [List.self, Show.self, Reply.self, Note.self, Assign.self, Status.self],
        defaultSubcommand: List.self
    )

    /// Who the change is by: a staff account (whose reply then counts as theirs), or the operator.
    struct Actor: ParsableArguments {
        @Option(name: .customLong("as"), help: "Act as this staff account (id); the history names them.") var account: Int64?
        var actor: Audit.Actor { account.map { .account($0) } ?? StaffCommand.actor }
    }

    static func run<T: Sendable>(_ database: DatabaseOptions, _ body: (Store.Connection) async throws -> T) async throws -> T {
        do {
            return try await database.inTransaction(body)
        } catch let error as EngagementError {
            throw ValidationError(error.detail)
        }
    }

    static func show(_ id: Int64, _ database: DatabaseOptions) async throws {
        guard let detail = try await run(database, { try await Cases().detail(id, scope: .everything, accountID: nil, on: $0) }) else {
            throw ValidationError("no case \(id)")
        }
        try DatabaseOptions.printJSON(detail)
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cases, critical first, then oldest first (open ones unless --status).")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "Only this initiative (id).") var initiative: Int64?
        @Option(help: "Only this school (id).") var school: Int64?
        @Option(help: "new, assigned, answered, closed, no_action or all.") var status: String?
        @Option(help: "Only cases in this language.") var language: String?
        @Option(help: "Only cases with this theme.") var theme: String?
        @Option(help: "Only this owner (account id).") var owner: Int64?
        @Option(help: "Opened at least this many days ago.") var olderThan: Int?
        @Flag(help: "Only the cases flagged critical.") var critical = false
        @Option(help: "At most this many.") var limit = 100
        @Option(help: "table or json.") var format = "table"

        func validate() throws {
            guard ["table", "json"].contains(format) else { throw ValidationError("--format must be table or json") }
        }

        func run() async throws {
            let filter = Cases.Filter(
                initiativeID: initiative,
                schoolID: school,
                theme: theme,
                language: language,
                olderThanDays: olderThan,
                status: status,
                ownerAccountID: owner,
                criticalOnly: critical,
                limit: limit
            )
            let cases = try await CasesCommand.run(database) { try await Cases().list(filter, scope: .everything, accountID: nil, on: $0) }
            if format == "json" { return try DatabaseOptions.printJSON(["items": cases]) }
            let formatter = ISO8601DateFormatter()
            print("id\tstatus\tcritical\topened\tinitiative\tschool\towner\tlanguage\ttext")
            for item in cases {
                let text = item.text.prefix(60).replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
                print(
                    [
                        "\(item.id)", item.status.rawValue, item.critical ? "CRITICAL" : "-", formatter.string(from: item.openedAt),
                        "\(item.initiativeID)", item.schoolID.map(String.init) ?? "-", item.ownerName ?? item.teamName ?? "-", item.language, text,
                    ].joined(separator: "\t")
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One case with its history and notes, as JSON.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The case's id.") var id: Int64

        func run() async throws { try await CasesCommand.show(id, database) }
    }

    struct Reply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reply: emailed in the family's language when they consented, published with --publish."
        )
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: Actor
        @Argument(help: "The case's id.") var id: Int64
        @Option(help: "The reply.") var text: String
        @Flag(help: "Also publish it with the anonymous comment on the initiative's page.") var publish = false

        func run() async throws {
            let outcome = try await CasesCommand.run(database) {
                try await Cases().reply(id, text, publish: publish, scope: .everything, actor: actor.actor, on: $0)
            }
            print("replied to case \(id): \(outcome.emailed) email(s) queued\(outcome.published ? ", published" : "")")
        }
    }

    struct Note: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "An internal note, for staff only.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: Actor
        @Argument(help: "The case's id.") var id: Int64
        @Option(help: "The note.") var text: String

        func run() async throws {
            try await CasesCommand.run(database) { try await Cases().note(id, text, scope: .everything, actor: actor.actor, on: $0) }
            print("noted on case \(id)")
        }
    }

    struct Assign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give the case to a staff account or a team.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: Actor
        @Argument(help: "The case's id.") var id: Int64
        @Option(help: "The account's id.") var account: Int64?
        @Option(help: "The team's id.") var team: Int64?

        func validate() throws {
            guard (account == nil) != (team == nil) else { throw ValidationError("give --account or --team") }
        }

        func run() async throws {
            try await CasesCommand.run(database) {
                try await Cases().assign(id, accountID: account, teamID: team, scope: .everything, actor: actor.actor, on: $0)
            }
            print("assigned case \(id)")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set the status: new, assigned, answered, closed or no_action (with --reason).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var actor: Actor
        @Argument(help: "The case's id.") var id: Int64
        @Argument(help: "The new status.") var status: String
        @Option(help: "Why no action is needed.") var reason: String?

        func run() async throws {
            guard let next = Cases.Status(rawValue: status) else {
                throw ValidationError("status must be one of \(Cases.Status.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            try await CasesCommand.run(database) {
                try await Cases().setStatus(id, next, reason: reason, scope: .everything, actor: actor.actor, on: $0)
            }
            print("case \(id) is \(next.rawValue)")
        }
    }
}
