import ArgumentParser
import Engagement
import Foundation

/// `chorus staff`: staff accounts from the server's shell (the console does the same in the
/// browser), and `chorus staff first-admin`, which Deploy/run uses on an empty database.
struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff",
        abstract: "Create and list staff accounts, make one-time sign-in links, deactivate accounts.",
        subcommands: [Create.self, FirstAdmin.self, List.self, Link.self, Deactivate.self]
    )

    static var actor: Audit.Actor { .command(NSUserName()) }

    static func address(_ base: String, _ secret: String) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/console/welcome/" + secret
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account; prints its one-time invitation link.")
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The person's name.") var name: String
        @Option(help: "Their email (they sign in with it).") var email: String
        @Option(help: "admin, analyst, coordinator or liaison.") var role: String
        @Option(name: .customLong("base-url"), help: "Where the console is reached.") var baseURL = "http://127.0.0.1:8080"

        func run() async throws {
            guard let role = StaffRole(rawValue: role) else { throw ValidationError("--role must be admin, analyst, coordinator or liaison") }
            let (account, secret) = try await database.inTransaction {
                try await StaffAccounts().create(name: name, email: email, role: role, by: StaffCommand.actor, on: $0)
            }
            print(StaffCommand.address(baseURL, secret))
            FileHandle.standardError.write(Data("Account \(account.id) (\(role.rawValue)) created; the link works once, for a week.\n".utf8))
        }
    }

    struct FirstAdmin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "first-admin",
            abstract: "When there is no account yet, create an administrator and print a one-time sign-in link; else print nothing."
        )
        @OptionGroup var database: DatabaseOptions
        @Option(help: "The first administrator's email.") var email = "admin@district.example"
        @Option(name: .customLong("base-url"), help: "Where the console is reached.") var baseURL = "http://127.0.0.1:8080"

        func run() async throws {
            let secret = try await database.inTransaction {
                try await StaffAccounts().firstAdmin(email: email, by: StaffCommand.actor, on: $0)
            }
            if let secret { print(StaffCommand.address(baseURL, secret)) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts.")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            for account in try await database.inTransaction({ try await StaffAccounts().accounts(on: $0) }) {
                let state = account.active ? (account.hasPassword ? "active" : "invited") : "deactivated"
                print("\(account.id)\t\(account.role.rawValue)\t\(account.email)\t\(account.name)\t\(state)\(account.twoFactor ? "\t2FA" : "")")
            }
        }
    }

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A new one-time link for an account: an invitation, or a password reset.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The account id (see `chorus staff list`).") var id: Int64
        @Option(name: .customLong("base-url"), help: "Where the console is reached.") var baseURL = "http://127.0.0.1:8080"

        func run() async throws {
            let secret = try await database.inTransaction { db in
                let account = try await StaffAccounts().account(id: id, on: db)
                return try await StaffAccounts().link(for: id, account.hasPassword ? .reset : .invitation, by: StaffCommand.actor, on: db)
            }
            print(StaffCommand.address(baseURL, secret))
        }
    }

    struct Deactivate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Deactivate an account: its sessions end at once.")
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The account id.") var id: Int64

        func run() async throws {
            _ = try await database.inTransaction { try await StaffAccounts().update(id: id, .init(active: false), by: StaffCommand.actor, on: $0) }
            print("Account \(id) deactivated.")
        }
    }
}

/// `chorus audit`: the audit log, newest first, as JSON lines.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Print the audit log, newest first, one JSON object a line.")
    @OptionGroup var database: DatabaseOptions
    @Option(help: "Only this kind of record, e.g. staff_account.") var entity: String?
    @Option(help: "Only this action, e.g. sign_in.") var action: String?
    @Option(help: "At most this many entries.") var limit = 100

    func run() async throws {
        let entries = try await database.inTransaction {
            try await Audit().entries(.init(entity: entity, action: action, limit: limit), on: $0)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .iso8601
        for entry in entries { print(String(decoding: try encoder.encode(entry), as: UTF8.self)) }
    }
}
