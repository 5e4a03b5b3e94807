import ArgumentParser
import Engagement
import Foundation

/// `chorus updates`: an initiative's "you said, we did" from the shell (issue 17) — its updates
/// and milestones, as the public page and `/api/v1/initiatives/{id}/updates` show them. Posting
/// an update or moving a milestone emails the followers who consented, as in the console.
struct UpdatesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "updates",
        abstract: "List and post an initiative's updates; list, add and move its milestones.",
        subcommands: [List.self, Post.self, Milestones.self, AddMilestone.self, Progress.self],
        defaultSubcommand: List.self
    )

    /// The initiative named by slug, and the text's language (the district's default if not given).
    struct Target: ParsableArguments {
        @Argument(help: "The initiative's slug.") var initiative: String
        @Option(help: "The language the texts are written in (default: the district's).") var language: String?

        func resolve(on db: Store.Connection) async throws -> (id: Int64, language: String) {
            guard let id = try await ReferenceData().allInitiatives(on: db).first(where: { $0.slug == initiative })?.id else {
                throw ValidationError("no initiative with slug \(initiative)")
            }
            if let language { return (id, language) }
            return (id, try await DistrictSettings.current(on: db).languageSet.defaultLanguage)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The initiative's updates, newest first, as JSON.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var target: Target
        @Option(help: "At most this many.") var limit = 50

        func run() async throws {
            let updates = try await CasesCommand.run(database) { db in
                try await InitiativeReports().updates(initiativeID: try await target.resolve(on: db).id, limit: limit, on: db)
            }
            try DatabaseOptions.printJSON(["items": updates])
        }
    }

    struct Post: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Post an update linked to themes and published comments.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var target: Target
        @OptionGroup var actor: CasesCommand.Actor
        @Option(help: "The update's title.") var title: String
        @Option(help: "What the district did.") var body: String
        @Option(name: .customLong("theme"), help: "A theme it answers (repeat for more).") var themes: [String] = []
        @Option(name: .customLong("case"), help: "A published comment it answers (case id; repeat for more).") var cases: [Int64] = []

        func run() async throws {
            let id = try await CasesCommand.run(database) { db in
                let (initiative, language) = try await target.resolve(on: db)
                return try await InitiativeReports().post(
                    initiativeID: initiative,
                    title: Translated([language: title]),
                    body: Translated([language: body]),
                    themes: themes,
                    caseIDs: cases,
                    actor: actor.actor,
                    on: db
                )
            }
            print("posted update \(id)")
        }
    }

    struct Milestones: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The initiative's milestones, by due date, as JSON.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var target: Target

        func run() async throws {
            let milestones = try await CasesCommand.run(database) { db in
                try await InitiativeReports().milestones(initiativeID: try await target.resolve(on: db).id, on: db)
            }
            try DatabaseOptions.printJSON(["items": milestones])
        }
    }

    struct AddMilestone: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-milestone", abstract: "Add a milestone.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var target: Target
        @OptionGroup var actor: CasesCommand.Actor
        @Option(help: "The milestone's title.") var title: String
        @Option(help: "Its due date, YYYY-MM-DD.") var due: String?
        @Option(help: "How far along, 0–100.") var percent = 0

        func run() async throws {
            let id = try await CasesCommand.run(database) { db in
                let (initiative, language) = try await target.resolve(on: db)
                return try await InitiativeReports().addMilestone(
                    initiativeID: initiative,
                    title: Translated([language: title]),
                    dueOn: due,
                    percent: percent,
                    actor: actor.actor,
                    on: db
                )
            }
            print("added milestone \(id)")
        }
    }

    struct Progress: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move a milestone; followers are emailed when it changed.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var target: Target
        @OptionGroup var actor: CasesCommand.Actor
        @Argument(help: "The milestone's id.") var milestone: Int64
        @Argument(help: "How far along now, 0–100.") var percent: Int

        func run() async throws {
            let written = try await CasesCommand.run(database) { db in
                try await InitiativeReports().progress(
                    milestone,
                    initiativeID: try await target.resolve(on: db).id,
                    percent: percent,
                    actor: actor.actor,
                    on: db
                )
            }
            print("milestone \(milestone) at \(percent)%: \(written) follower email(s) queued")
        }
    }
}
