import ArgumentParser
import Engagement
import Foundation

/// `chorus settings show|set`: the district's name, time zone, languages and school year.
struct SettingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "settings",
        abstract: "Show or change the district's settings (name, time zone, languages, school year).",
        subcommands: [Show.self, Set.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the district's settings as JSON.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try DatabaseOptions.printJSON(try await database.inTransaction { try await DistrictSettings.current(on: $0) })
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change some settings; the change is kept with who made it.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The district's name.") var name: String?
        @Option(name: .customLong("time-zone"), help: "An IANA time zone, e.g. America/New_York.") var timeZone: String?
        @Option(help: "The languages offered, in order: BCP 47 tags separated by commas, e.g. en,es,vi,ar.") var languages: String?
        @Option(name: .customLong("default-language"), help: "One of the languages offered.") var defaultLanguage: String?
        @Option(name: .customLong("school-year-start"), help: "MM-DD, e.g. 08-01.") var schoolYearStart: String?

        func run() async throws {
            var start: DistrictSettings.MonthDay?
            if let schoolYearStart {
                let parts = schoolYearStart.split(separator: "-").compactMap { Int($0) }
                guard parts.count == 2 else { throw ValidationError("--school-year-start must be MM-DD, e.g. 08-01") }
                start = .init(month: parts[0], day: parts[1])
            }
            let changes = DistrictSettings.Changes(
                name: name,
                timeZone: timeZone,
                languages: languages.map { $0.split(separator: ",").map(String.init) },
                defaultLanguage: defaultLanguage,
                schoolYearStart: start
            )
            let settings = try await database.inTransaction {
                try await DistrictSettings.update(changes, actor: "cli:\(NSUserName())", on: $0)
            }
            try DatabaseOptions.printJSON(settings)
        }
    }
}
