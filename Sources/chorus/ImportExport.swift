import ArgumentParser
import CSV
import Engagement
import Foundation
import Postgres

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import CSV sign-in sheets, all or nothing.",
        subcommands: [Attendance.self, Signups.self]
    )

    struct Attendance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import an event's sign-in sheet (columns: group, count, name, email, phone, consent)."
        )
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "The event id.") var event: Int64

        func run() async throws {
            try await ImportCommand.write(file, database: database, done: "attendance row(s) for event \(event)") { sheet, db, progress in
                try await sheet.importAttendance(eventID: event, on: db, progress: progress)
            }
        }
    }

    struct Signups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import volunteer sign-ups for a shift (columns: group, name, email, phone, consent)."
        )
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "The shift id.") var shift: Int64

        func run() async throws {
            try await ImportCommand.write(file, database: database, done: "sign-up(s) for shift \(shift)") { sheet, db, progress in
                try await sheet.importSignups(shiftID: shift, on: db, progress: progress)
            }
        }
    }

    /// Checks the whole sheet, then writes it in one transaction with a progress bar.
    static func write(
        _ file: String,
        database: DatabaseOptions,
        done: String,
        _ body: (SignInSheet, PostgresConnection, (Int) -> Void) async throws -> Int
    ) async throws {
        let sheet = try read(file)
        let imported = try await database.inTransaction { db in
            try await body(sheet, db) { Progress.show("Writing", $0, of: sheet.rows.count) }
        }
        Progress.done()
        print("Imported \(imported) \(done).")
    }

    static func read(_ file: String) throws -> SignInSheet {
        // Memory-mapped rather than InputStream(fileAtPath:): CSV.swift reports a read error at the
        // end of a file stream on Linux, and mapping keeps large sheets out of the heap.
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: file), options: .alwaysMapped) else {
            throw ValidationError("cannot read \(file)")
        }
        let stream = InputStream(data: data)
        defer { Progress.done() }
        return try SignInSheet(stream: stream) { Progress.show("Checking", $0, of: nil) }
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export responses, feedback or attendance as CSV to standard output (no contact details)."
    )
    @OptionGroup var database: DatabaseOptions
    @Argument(
        help: """
            responses, feedback or attendance (one row per record); results (a survey's responses, one column per \
            question) or codebook (what each of its columns holds), with --survey.
            """
    )
    var kind: String
    @Option(help: "Only this output format exists for now.") var format = "csv"
    @Option(help: "Only records of this initiative id.") var initiative: Int64?
    @Option(help: "The survey id, for results and codebook.") var survey: Int64?

    func run() async throws {
        guard format == "csv" else { throw ValidationError("--format must be csv") }
        guard let output = OutputStream(toFileAtPath: "/dev/stdout", append: true) else {
            throw ValidationError("cannot write to standard output")
        }
        let writer = try CSVWriter(stream: output)
        if kind == "results" || kind == "codebook" {
            guard let survey else { throw ValidationError("export \(kind) needs --survey") }
            try await exportSurvey(survey, writer)
            return
        }
        guard let kind = Exports.Kind(rawValue: kind) else { throw ValidationError("export responses, feedback, attendance, results or codebook") }
        try writer.write(row: Exports().header(kind))
        try await database.withClient { client in
            try await Exports().export(kind, initiativeID: initiative, on: client) { try writer.write(row: $0) }
            // An export is a staff action the audit log keeps (issue 14): what, and of which initiative.
            var values: [String: JSONValue] = ["kind": .string(kind.rawValue)]
            if let initiative { values["initiative_id"] = .number(Double(initiative)) }
            try await client.withTransaction {
                try await Audit().record("export", kind.rawValue, id: nil, new: values, by: StaffCommand.actor, on: $0)
            }
        }
        writer.stream.close()
    }

    /// A survey's anonymised responses or its codebook, recorded in the audit log.
    func exportSurvey(_ id: Int64, _ writer: CSVWriter) async throws {
        try await database.withClient { client in
            let export: SurveyExport
            do {
                export = try await client.withConnection { try await SurveyExport.load(surveyID: id, on: $0) }
            } catch let error as EngagementError {
                throw ValidationError(error.detail)
            }
            if kind == "codebook" {
                try writer.write(row: SurveyExport.codebookHeader)
                for row in try await client.withConnection({ try await export.codebook(on: $0) }) { try writer.write(row: row) }
            } else {
                try writer.write(row: export.header)
                try await client.withTransaction(isolation: .repeatableRead) { db in try await export.responses(on: db) { try writer.write(row: $0) }
                }
            }
            try await client.withTransaction {
                try await Audit().record("export", kind, id: String(id), new: ["survey_id": .number(Double(id))], by: StaffCommand.actor, on: $0)
            }
        }
        writer.stream.close()
    }
}

/// A one-line progress report on standard error, only when it is a terminal.
enum Progress {
    static let enabled = isatty(STDERR_FILENO) == 1

    static func show(_ label: String, _ count: Int, of total: Int?) {
        guard enabled else { return }
        let text: String
        if let total, total > 0 {
            let width = 30
            let filled = min(width, count * width / total)
            text = "\r\(label) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(count)/\(total)"
        } else {
            text = "\r\(label) \(count) rows"
        }
        FileHandle.standardError.write(Data(text.utf8))
    }

    static func done() {
        if enabled { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
