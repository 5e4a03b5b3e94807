import CSV
import Foundation
import Postgres

/// A CSV sign-in sheet from an event or a volunteer shift, imported all or nothing: every row is
/// checked first and every bad row reported by line; only a clean sheet is written, in one
/// transaction.
///
/// Headers are matched case-insensitively with common variants ("Stakeholder group", "E-mail",
/// "Teléfono"…). Columns: `group` (required), `count` (a headcount row; otherwise a check-in of
/// one person), `name`, `email`, `phone`, `consent` (yes/no; contact details are kept only with yes).
public struct SignInSheet: Sendable {
    public struct Row: Sendable {
        public var line: Int
        public var group: StakeholderGroup
        public var count: Int?
        public var contact: ContactDetails?
    }

    public struct LineError: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public struct Rejected: Error, CustomStringConvertible, Sendable {
        public var errors: [LineError]
        public var description: String {
            "the sheet has \(errors.count) bad line(s); nothing was imported:\n" + errors.prefix(200).map(\.description).joined(separator: "\n")
        }
    }

    static let aliases: [String: String] = [
        "group": "group", "stakeholder group": "group", "stakeholder_group": "group", "grupo": "group", "role": "group",
        "count": "count", "headcount": "count", "number": "count", "cantidad": "count",
        "name": "name", "full name": "name", "nombre": "name",
        "email": "email", "e-mail": "email", "correo": "email", "correo electrónico": "email",
        "phone": "phone", "telephone": "phone", "teléfono": "phone", "telefono": "phone", "mobile": "phone",
        "consent": "consent", "consents": "consent", "consentimiento": "consent", "ok to contact": "consent",
    ]

    static let groupAliases: [String: StakeholderGroup] = [
        "family": .families, "families": .families, "parent": .families, "parents": .families, "familia": .families,
        "student": .students, "students": .students, "estudiante": .students,
        "teacher": .teachersStaff, "teachers": .teachersStaff, "staff": .teachersStaff, "teachers_staff": .teachersStaff,
        "administrator": .administrators, "administrators": .administrators, "admin": .administrators,
        "community": .communityPartners, "partner": .communityPartners, "community_partners": .communityPartners,
        "government": .governmentBoards, "board": .governmentBoards, "government_boards": .governmentBoards,
    ]

    public let rows: [Row]

    /// Reads and checks the whole sheet; throws `Rejected` listing every bad line.
    public init(stream: InputStream, progress: (Int) -> Void = { _ in }) throws {
        let reader: CSVReader
        do {
            reader = try CSVReader(stream: stream, hasHeaderRow: true, trimFields: true)
        } catch {
            throw Rejected(errors: [LineError(line: 1, message: "not a readable CSV file")])
        }
        let header = (reader.headerRow ?? []).map { Self.aliases[$0.lowercased().trimmingCharacters(in: .whitespaces)] }
        guard header.contains("group") else {
            throw Rejected(errors: [LineError(line: 1, message: "the header needs a group column (group, stakeholder group, grupo)")])
        }
        var rows: [Row] = []
        var errors: [LineError] = []
        var line = 1
        while let fields = reader.next() {
            line += 1
            if fields.allSatisfy(\.isEmpty) { continue }
            let values = Self.values(fields, header: header)
            switch Self.row(values, line: line) {
            case .success(let row): rows.append(row)
            case .failure(let error): errors.append(error)
            }
            if line % 10_000 == 0 { progress(line) }
        }
        if let error = reader.error {
            errors.append(LineError(line: line + 1, message: "the CSV is malformed (\(error))"))
        }
        if !errors.isEmpty { throw Rejected(errors: errors) }
        if rows.isEmpty { throw Rejected(errors: [LineError(line: 2, message: "the sheet has no rows")]) }
        self.rows = rows
    }

    /// A row's non-empty fields by the column names the header was read as.
    static func values(_ fields: [String], header: [String?]) -> [String: String] {
        var values: [String: String] = [:]
        for (index, key) in header.enumerated() where index < fields.count {
            if let key, !fields[index].isEmpty { values[key] = fields[index] }
        }
        return values
    }

    /// A "yes" of a consent column, in the district's languages' usual spellings.
    static func consented(_ text: String?) -> Bool {
        ["yes", "y", "true", "1", "sí", "si", "x", "oui"].contains(text?.lowercased() ?? "")
    }

    static func row(_ values: [String: String], line: Int) -> Result<Row, LineError> {
        func fail(_ message: String) -> Result<Row, LineError> { .failure(LineError(line: line, message: message)) }
        guard let groupText = values["group"] else { return fail("group is missing") }
        let key = groupText.lowercased()
        guard let group = StakeholderGroup(rawValue: key) ?? groupAliases[key] else {
            return fail("unknown group \"\(groupText.prefix(40))\"")
        }
        var count: Int?
        if let countText = values["count"] {
            guard let value = Int(countText), (0...100_000).contains(value) else {
                return fail("count must be a whole number from 0 to 100000")
            }
            count = value
        }
        var contact: ContactDetails?
        if values["email"] != nil || values["phone"] != nil || values["name"] != nil {
            let consent = consented(values["consent"])
            if consent {
                let details = ContactDetails(name: values["name"], email: values["email"], phone: values["phone"], consent: true)
                var validator = Validator()
                details.validate(&validator, field: "contact")
                if let first = validator.errors.first { return fail("\(first.field): \(first.message)") }
                contact = details
            }
            // Without consent the contact columns are dropped, never stored.
        }
        if count != nil && contact != nil { return fail("a headcount row cannot carry contact details") }
        return .success(Row(line: line, group: group, count: count, contact: contact))
    }

    /// Writes every row as attendance of `eventID` in the caller's transaction.
    public func importAttendance(eventID: Int64, on db: PostgresConnection, progress: (Int) -> Void = { _ in }) async throws -> Int {
        guard try await !db.query("SELECT 1 FROM events WHERE id = \(eventID)").isEmpty else {
            throw EngagementError.notFound("event")
        }
        let participants = Participants()
        var kinds: [String] = []
        var groups: [String] = []
        var counts: [String] = []
        var people: [String] = []
        func flush() async throws {
            guard !kinds.isEmpty else { return }
            try await db.query(
                """
                INSERT INTO attendance (event_id, kind, stakeholder_group, count, participant_id)
                SELECT \(eventID), kind, grp::stakeholder_group, cnt::int, nullif(person, '')::bigint
                FROM unnest(\(kinds)::text[], \(groups)::text[], \(counts)::text[], \(people)::text[]) AS t(kind, grp, cnt, person)
                """
            )
            kinds.removeAll(keepingCapacity: true)
            groups.removeAll(keepingCapacity: true)
            counts.removeAll(keepingCapacity: true)
            people.removeAll(keepingCapacity: true)
        }
        for (index, row) in rows.enumerated() {
            let person = try await row.contact.asyncMap { try await participants.participant(for: $0, on: db) }
            kinds.append(row.count == nil ? "checkin" : "headcount")
            groups.append(row.group.rawValue)
            counts.append(String(row.count ?? 1))
            people.append(person.map(String.init) ?? "")
            if kinds.count == 2_000 {
                try await flush()
                progress(index + 1)
            }
        }
        try await flush()
        progress(rows.count)
        return rows.count
    }

    /// Signs every row up for `shiftID` (confirmed or waitlisted), in the caller's transaction.
    /// Volunteers need contact details given with consent.
    public func importSignups(shiftID: Int64, on db: PostgresConnection, progress: (Int) -> Void = { _ in }) async throws -> Int {
        let missing = rows.filter { $0.contact == nil }.map { LineError(line: $0.line, message: "a volunteer needs an email or phone with consent") }
        if !missing.isEmpty { throw Rejected(errors: missing) }
        let volunteering = Volunteering()
        for (index, row) in rows.enumerated() {
            guard let contact = row.contact else { continue }  // none: every row was checked above
            do {
                _ = try await volunteering.signUp(shiftID: shiftID, group: row.group, contact: contact, now: .distantPast, on: db)
            } catch let error as EngagementError where error.code == .conflict {
                throw Rejected(errors: [LineError(line: row.line, message: error.detail)])
            }
            if (index + 1) % 1_000 == 0 { progress(index + 1) }
        }
        progress(rows.count)
        return rows.count
    }
}
