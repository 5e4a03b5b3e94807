import ArgumentParser
import Engagement
import Foundation
import Postgres

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke API tokens.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; it is printed once and stored only as a hash.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "admin or liaison.") var role: String
        @Option(help: "Who or what the token is for.") var name: String

        func run() async throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("--role must be admin or liaison") }
            try await database.withClient { client in
                let (token, secret) = try await Tokens().create(name: name, role: role, on: client)
                print(secret)
                FileHandle.standardError.write(Data("Token \(token.id) (\(role.rawValue), \(name)) created. It is shown only now.\n".utf8))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await database.withClient { client in
                for token in try await Tokens().list(on: client) {
                    let state = token.revokedAt.map { "revoked \($0)" } ?? "active"
                    print("\(token.id)\t\(token.role.rawValue)\t\(token.name)\tcreated \(token.createdAt)\t\(state)")
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The token id (see `chorus token list`).") var id: Int64

        func run() async throws {
            try await database.withClient { client in
                if try await Tokens().revoke(id: id, on: client) {
                    print("Token \(id) revoked.")
                } else {
                    throw ValidationError("no active token with id \(id)")
                }
            }
        }
    }
}
