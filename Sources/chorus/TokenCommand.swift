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
        static let configuration = CommandConfiguration(
            abstract: "Create a token; it is printed once and stored only as a hash.",
            discussion: "A token for --account acts with that account's role and scope; --role makes an unowned, district-wide token."
        )
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The email of the staff account that owns the token.") var account: String?
        @Option(help: "admin or liaison, for a token without an account.") var role: String?
        @Option(help: "Who or what the token is for.") var name: String

        func run() async throws {
            let legacyRole = try role.map {
                guard let role = Role(rawValue: $0) else { throw ValidationError("--role must be admin or liaison") }
                return role
            }
            guard (account == nil) != (legacyRole == nil) else { throw ValidationError("give --account or --role") }
            let (token, secret) = try await database.inTransaction { db in
                var owner: Int64?
                if let email = account {
                    guard let found = try await StaffAccounts().account(email: email, on: db) else {
                        throw ValidationError("no account with email \(email)")
                    }
                    owner = found.id
                }
                return try await Tokens().create(name: name, owner: owner, role: legacyRole, by: StaffCommand.actor, on: db)
            }
            print(secret)
            let holder = account ?? legacyRole?.rawValue ?? ""
            FileHandle.standardError.write(Data("Token \(token.id) (\(holder), \(name)) created. It is shown only now.\n".utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their secrets).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            for token in try await database.inTransaction({ try await Tokens().list(on: $0) }) {
                let state = token.revokedAt.map { "revoked \($0)" } ?? "active"
                let holder = token.accountID.map { "account \($0)" } ?? token.role?.rawValue ?? ""
                let used = token.lastUsedAt.map { "last used \($0)" } ?? "never used"
                print("\(token.id)\t\(holder)\t\(token.name)\tcreated \(token.createdAt)\t\(used)\t\(state)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by id.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The token id (see `chorus token list`).") var id: Int64

        func run() async throws {
            guard try await database.inTransaction({ try await Tokens().revoke(id: id, by: StaffCommand.actor, on: $0) }) else {
                throw ValidationError("no active token with id \(id)")
            }
            print("Token \(id) revoked.")
        }
    }
}
