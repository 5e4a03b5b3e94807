import ArgumentParser
import Foundation
import Postgres

/// `chorus backup` and `chorus restore` (issue 18): a logical backup with `pg_dump` in its custom
/// format (compressed, restorable table by table) and its restore with `pg_restore`, in one
/// transaction so a failed restore leaves nothing half done. docs/operations.md says how often,
/// where, and the recovery point and time of this and of continuous archiving.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a backup of the database (pg_dump, custom format), or check one with --check."
    )
    @OptionGroup var database: DatabaseOptions
    @Option(help: "The file to write (default: chorus-<UTC time>.dump here).") var to: String?
    @Option(help: "Only check that this backup file is complete and readable; print what it holds.") var check: String?

    func run() async throws {
        if let check {
            let listing = try Self.run("pg_restore", ["--list", check])
            let entries = listing.split(separator: "\n").filter { !$0.hasPrefix(";") }
            let tables = entries.filter { $0.contains(" TABLE DATA ") }.count
            print("\(check): readable, \(entries.count) entries, \(tables) tables with data")
            return
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime]
        let file = to ?? "chorus-\(formatter.string(from: Date())).dump"
        let started = Date()
        try await database.withURL { url in
            _ = try Self.run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", file, "--dbname", url])
        }
        let size = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.intValue ?? 0
        print(String(format: "wrote %@ (%.1f MB) in %.1f s", file, Double(size) / 1_000_000, Date().timeIntervalSince(started)))
    }

    /// Runs a PostgreSQL program of the installed version; its error output on failure.
    static func run(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try EmbeddedCluster.program(program))
        process.arguments = arguments
        let output = Pipe()
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-\(program)-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errors) }
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw ValidationError("\(program) failed (exit \(process.terminationStatus)): \(message.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup made by chorus backup into an empty database (pg_restore, one transaction)."
    )
    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The backup file.") var file: String
    @Flag(help: "Replace what the database holds (its tables are dropped first).") var replace = false

    func run() async throws {
        let started = Date()
        try await database.withURL { url in
            let client = PostgresClient(configuration: .init(url: url, maximumConnections: 1), logger: database.makeLogger())
            let tables = try await client.query("SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public'").one().decode(Int.self, at: 0)
            await client.close()
            if tables > 0 && !replace {
                throw ValidationError("the database already holds \(tables) tables; restore into an empty one, or pass --replace")
            }
            var arguments = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname", url, file]
            if replace { arguments = ["--clean", "--if-exists"] + arguments }
            _ = try BackupCommand.run("pg_restore", arguments)
        }
        print(String(format: "restored %@ in %.1f s", file, Date().timeIntervalSince(started)))
    }
}
