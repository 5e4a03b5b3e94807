import CSV
import Foundation
import Postgres

/// A CSV of schools (code, name, cluster, level, enrollment), imported all or nothing: every
/// line is checked first and every bad line is reported by number. A code already known updates
/// that school; a new code adds one (issue 14).
public struct SchoolSheet: Sendable {
    public struct Row: Sendable {
        public var line: Int
        public var fields: ReferenceData.SchoolFields
    }

    public let rows: [Row]

    static let levels: Set<String> = ["elementary", "middle", "high", "k8", "other"]
    static let aliases: [String: String] = [
        "code": "code", "school code": "code", "código": "code", "codigo": "code", "name": "name", "school": "name",
        "nombre": "name", "cluster": "cluster", "zone": "cluster", "zona": "cluster", "level": "level", "nivel": "level",
        "enrollment": "enrollment", "enrolment": "enrollment", "students": "enrollment", "matrícula": "enrollment",
        "matricula": "enrollment",
    ]

    /// Reads and checks the whole sheet; throws `SignInSheet.Rejected` listing every bad line.
    public init(stream: InputStream) throws {
        let reader: CSVReader
        do {
            reader = try CSVReader(stream: stream, hasHeaderRow: true, trimFields: true)
        } catch {
            throw SignInSheet.Rejected(errors: [.init(line: 1, message: "not a readable CSV file")])
        }
        let header = (reader.headerRow ?? []).map { Self.aliases[$0.lowercased().trimmingCharacters(in: .whitespaces)] }
        let missing = ["code", "name", "cluster", "level", "enrollment"].filter { (column: String) in !header.contains(column) }
        guard missing.isEmpty else {
            throw SignInSheet.Rejected(errors: [.init(line: 1, message: "the header needs the columns " + missing.joined(separator: ", "))])
        }
        var rows: [Row] = []
        var errors: [SignInSheet.LineError] = []
        var codes: [String: Int] = [:]
        var line = 1
        while let fields = reader.next() {
            line += 1
            if fields.allSatisfy(\.isEmpty) { continue }
            if rows.count + errors.count >= 10_000 {
                errors.append(.init(line: line, message: "a sheet holds at most 10,000 schools"))
                break
            }
            var values: [String: String] = [:]
            for (index, key) in header.enumerated() where index < fields.count {
                if let key, !fields[index].isEmpty { values[key] = fields[index] }
            }
            let level = values["level"]?.lowercased() ?? ""
            let enrollment = values["enrollment"].flatMap { Int($0.replacingOccurrences(of: ",", with: "")) }
            let school = ReferenceData.SchoolFields(
                code: values["code"],
                name: values["name"],
                cluster: values["cluster"],
                level: level,
                enrollment: enrollment
            )
            do {
                try school.validate()
                guard Self.levels.contains(level) else {
                    throw EngagementError.invalid("level", "must be elementary, middle, high, k8 or other")
                }
                guard enrollment != nil else { throw EngagementError.invalid("enrollment", "must be a whole number") }
                if let earlier = codes[school.code ?? ""] {
                    throw EngagementError.invalid("code", "repeats line \(earlier)")
                }
                codes[school.code ?? ""] = line
                rows.append(Row(line: line, fields: school))
            } catch let error as EngagementError {
                errors.append(.init(line: line, message: error.fields.map { "\($0.field) \($0.message)" }.joined(separator: "; ")))
            }
        }
        if let error = reader.error { errors.append(.init(line: line + 1, message: "the CSV is malformed (\(error))")) }
        if !errors.isEmpty { throw SignInSheet.Rejected(errors: errors) }
        if rows.isEmpty { throw SignInSheet.Rejected(errors: [.init(line: 2, message: "the sheet has no schools")]) }
        self.rows = rows
    }

    /// Adds and updates in the caller's transaction; one audit row says what the import did.
    public func importSchools(by actor: Audit.Actor, on db: PostgresConnection) async throws -> (added: Int, updated: Int) {
        let reference = ReferenceData()
        let known = Dictionary(uniqueKeysWithValues: try await reference.allSchools(on: db).map { ($0.code, $0.id) })
        var added: [String] = []
        var updated: [String] = []
        for row in rows {
            let code = row.fields.code ?? ""
            if let id = known[code] {
                _ = try await reference.updateSchool(id: id, row.fields, on: db)
                updated.append(code)
            } else {
                _ = try await reference.createSchool(row.fields, on: db)
                added.append(code)
            }
        }
        try await Audit().record(
            "import",
            "school",
            id: nil,
            new: ["added": .array(added.map { .string($0) }), "updated": .array(updated.map { .string($0) })],
            by: actor,
            on: db
        )
        return (added.count, updated.count)
    }
}
