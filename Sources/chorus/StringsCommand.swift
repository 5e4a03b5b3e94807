import ArgumentParser
import Foundation
import Server

/// `chorus strings check`: the pages' string files against the keys the pages use.
struct StringsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strings",
        abstract: "Check the pages' string files (Web/strings, and CHORUS_STRINGS_DIR over them).",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List missing and unused keys per language; exit 1 when English or Spanish lacks a key."
        )

        func run() async throws {
            let check = try StringsCheck()
            print(check.report)
            if !check.passes { throw ExitCode(1) }
        }
    }
}
