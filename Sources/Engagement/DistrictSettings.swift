import Foundation
import Postgres

/// The district's settings (Schema/0009): name, time zone, the languages families are offered
/// (BCP 47, in order) with the default among them, and the day the school year starts. Read by
/// everything that shows text or counts days; changed by staff (`chorus settings set`, later the
/// console), each change kept in `district_settings_history` with who made it.
public struct DistrictSettings: Sendable, Equatable, Codable {
    public var name: String
    public var timeZone: String
    public var languages: [String]
    public var defaultLanguage: String
    public var schoolYearStart: MonthDay

    public init(name: String, timeZone: String, languages: [String], defaultLanguage: String, schoolYearStart: MonthDay) {
        self.name = name
        self.timeZone = timeZone
        self.languages = languages
        self.defaultLanguage = defaultLanguage
        self.schoolYearStart = schoolYearStart
    }

    public struct MonthDay: Sendable, Equatable, Codable {
        public var month: Int
        public var day: Int
        public init(month: Int, day: Int) {
            self.month = month
            self.day = day
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, languages
        case timeZone = "time_zone"
        case defaultLanguage = "default_language"
        case schoolYearStart = "school_year_start"
    }

    public static func current(on db: PostgresConnection) async throws -> DistrictSettings {
        let row = try await db.query(
            """
            SELECT name, time_zone, languages, default_language, school_year_start_month, school_year_start_day
            FROM district_settings
            """
        ).one()
        let (name, timeZone, languages, defaultLanguage, month, day) = try row.decode((String, String, [String], String, Int, Int).self)
        return DistrictSettings(
            name: name,
            timeZone: timeZone,
            languages: languages,
            defaultLanguage: defaultLanguage,
            schoolYearStart: MonthDay(month: month, day: day)
        )
    }

    /// What a change may set; nil keeps the current value.
    public struct Changes: Sendable {
        public var name: String?
        public var timeZone: String?
        public var languages: [String]?
        public var defaultLanguage: String?
        public var schoolYearStart: MonthDay?

        public init(
            name: String? = nil,
            timeZone: String? = nil,
            languages: [String]? = nil,
            defaultLanguage: String? = nil,
            schoolYearStart: MonthDay? = nil
        ) {
            self.name = name
            self.timeZone = timeZone
            self.languages = languages
            self.defaultLanguage = defaultLanguage
            self.schoolYearStart = schoolYearStart
        }
    }

    /// Applies `changes` in the caller's transaction, keeping the previous values and `actor` in
    /// the history; every field is checked first and nothing changes when one is wrong.
    @discardableResult
    public static func update(_ changes: Changes, actor: String, on db: PostgresConnection) async throws -> DistrictSettings {
        let previous = try await current(on: db)
        var next = previous
        if let name = changes.name { next.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let timeZone = changes.timeZone { next.timeZone = timeZone }
        if let languages = changes.languages { next.languages = languages.map(Self.canonicalTag) }
        if let language = changes.defaultLanguage { next.defaultLanguage = Self.canonicalTag(language) }
        // Dropping the default language from the list moves the default to the first one left.
        if changes.defaultLanguage == nil, !next.languages.contains(next.defaultLanguage), let first = next.languages.first {
            next.defaultLanguage = first
        }
        if let start = changes.schoolYearStart { next.schoolYearStart = start }
        try await next.validate(on: db)
        guard next != previous else { return previous }
        try await db.query(
            """
            UPDATE district_settings SET name = \(next.name), time_zone = \(next.timeZone), languages = \(next.languages),
                default_language = \(next.defaultLanguage), school_year_start_month = \(next.schoolYearStart.month),
                school_year_start_day = \(next.schoolYearStart.day), updated_at = now(), updated_by = \(actor)
            """
        )
        try await db.query(
            """
            INSERT INTO district_settings_history (changed_by, previous, current)
            VALUES (\(actor), \(PostgresJSON(previous)), \(PostgresJSON(next)))
            """
        )
        // Another clock counts other days: the rollups are rebuilt by a job (readers see the
        // previous counts until it commits, never a mix).
        if next.timeZone != previous.timeZone || next.schoolYearStart != previous.schoolYearStart {
            try await RollupRebuild.enqueue(on: db)
        }
        return next
    }

    func validate(on db: PostgresConnection) async throws {
        var validator = Validator()
        validator.text(name, "name", min: 1, max: 200)
        if languages.isEmpty || languages.count > 40 {
            validator.add("languages", "must list 1 to 40 languages")
        }
        for (index, tag) in languages.enumerated() where !Self.isLanguageTag(tag) {
            validator.add("languages[\(index)]", "\"\(tag)\" is not a BCP 47 language tag (e.g. en, es, vi, zh-Hans, ar)")
        }
        if Set(languages).count != languages.count { validator.add("languages", "lists a language twice") }
        if !languages.contains(defaultLanguage) { validator.add("default_language", "must be one of the languages offered") }
        if !(1...12).contains(schoolYearStart.month) || !(1...28).contains(schoolYearStart.day) {
            validator.add("school_year_start", "must be a month 1–12 and a day 1–28")
        }
        // PostgreSQL counts the days, so the zone must be one it knows (and Foundation too, which
        // formats the times shown).
        // IANA names are ASCII letters, digits and `/_+-` (Foundation accepts "UTC" with a NUL after it).
        let shaped = (1...64).contains(timeZone.utf8.count) && timeZone.utf8.allSatisfy { Self.zoneBytes.contains($0) }
        var known = shaped && TimeZone(identifier: timeZone) != nil
        if known { known = !(try await db.query("SELECT 1 FROM pg_timezone_names WHERE name = \(timeZone)").isEmpty) }
        if !known { validator.add("time_zone", "\"\(timeZone)\" is not an IANA time zone (e.g. America/New_York)") }
        try validator.check()
    }

    static let zoneBytes = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/_+-".utf8))

    /// BCP 47 in the shape a district uses: a 2–3 letter language, then optional script (4
    /// letters), region (2 letters or 3 digits) and variants; case as in the registry (zh-Hans-CN).
    static func isLanguageTag(_ tag: String) -> Bool {
        let parts = tag.split(separator: "-", omittingEmptySubsequences: false)
        guard let language = parts.first, (2...3).contains(language.count), language.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            return false
        }
        return parts.dropFirst().allSatisfy { part in
            (2...8).contains(part.count) && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
        }
    }

    static func canonicalTag(_ tag: String) -> String {
        tag.trimmingCharacters(in: .whitespaces).split(separator: "-", omittingEmptySubsequences: false).enumerated().map { index, part in
            if index == 0 { return part.lowercased() }
            if part.count == 4 { return part.prefix(1).uppercased() + part.dropFirst().lowercased() }
            if part.count == 2 { return part.uppercased() }
            return part.lowercased()
        }.joined(separator: "-")
    }
}
