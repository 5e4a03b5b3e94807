import Foundation
import Postgres

/// Goals, schools and initiatives: the admin-managed records everything else hangs from.
public struct ReferenceData: Sendable {
    public init() {}

    // MARK: Goals

    public func createGoal(code: String, title: Translated, description: Translated, on db: PostgresConnection) async throws -> Goal {
        let languages = try await DistrictSettings.current(on: db).languageSet
        var validator = Validator()
        validator.text(code, "code", min: 1, max: 40)
        validator.translated(title, "title", min: 1, max: 200, required: true, languages: languages)
        validator.translated(description, "description", max: 4000, required: false, languages: languages)
        try validator.check()
        do {
            let row = try await db.query(
                """
                INSERT INTO district_goals (code, title, description)
                VALUES (\(code), \(PostgresJSON(title)), \(PostgresJSON(description))) RETURNING id
                """
            ).one()
            return Goal(id: try row.decode(Int64.self, at: 0), code: code, title: title, description: description)
        } catch let error as PostgresError where error.isUniqueViolation {
            throw EngagementError.conflict("a goal with this code exists", field: "code")
        }
    }

    public func goals(on db: PostgresConnection) async throws -> [Goal] {
        try await db.query("SELECT id, code, title, description FROM district_goals ORDER BY id").map {
            let (id, code, title, description) = try $0.decode((Int64, String, PostgresJSON<Translated>, PostgresJSON<Translated>).self)
            return Goal(id: id, code: code, title: title.value, description: description.value)
        }
    }

    public func lockGoal(id: Int64, on db: PostgresConnection) async throws -> Goal {
        guard
            let row = try await db.query("SELECT id, code, title, description FROM district_goals WHERE id = \(id) FOR UPDATE").first
        else { throw EngagementError.notFound("goal") }
        let (goalID, code, title, description) = try row.decode((Int64, String, PostgresJSON<Translated>, PostgresJSON<Translated>).self)
        return Goal(id: goalID, code: code, title: title.value, description: description.value)
    }

    public func updateGoal(id: Int64, title: Translated, description: Translated, on db: PostgresConnection) async throws -> Goal {
        let languages = try await DistrictSettings.current(on: db).languageSet
        var validator = Validator()
        validator.translated(title, "title", min: 1, max: 200, required: true, languages: languages)
        validator.translated(description, "description", max: 4000, required: false, languages: languages)
        try validator.check()
        try await db.query(
            "UPDATE district_goals SET title = \(PostgresJSON(title)), description = \(PostgresJSON(description)) WHERE id = \(id)"
        )
        return try await lockGoal(id: id, on: db)
    }

    /// Only a goal no initiative is aligned with can go.
    public func deleteGoal(id: Int64, on db: PostgresConnection) async throws {
        guard try await db.query("SELECT 1 FROM initiatives WHERE goal_id = \(id) LIMIT 1").isEmpty else {
            throw EngagementError.conflict("initiatives are aligned with this goal: move them to another goal first")
        }
        try await db.query("DELETE FROM district_goals WHERE id = \(id)")
    }

    // MARK: Schools

    public struct SchoolFields: Sendable {
        public var code: String?
        public var name: String?
        public var cluster: String?
        public var level: String?
        public var enrollment: Int?
        public init(code: String? = nil, name: String? = nil, cluster: String? = nil, level: String? = nil, enrollment: Int? = nil) {
            self.code = code
            self.name = name
            self.cluster = cluster
            self.level = level
            self.enrollment = enrollment
        }

        func validate() throws {
            var validator = Validator()
            validator.text(code, "code", min: 1, max: 40)
            validator.text(name, "name", min: 1, max: 200)
            validator.text(cluster, "cluster", min: 1, max: 100)
            validator.range(enrollment, "enrollment", 0...100_000)
            try validator.check()
        }
    }

    public func createSchool(_ fields: SchoolFields, on db: PostgresConnection) async throws -> School {
        try fields.validate()
        do {
            let row = try await db.query(
                """
                INSERT INTO schools (code, name, cluster, level, enrollment)
                VALUES (\(fields.code ?? ""), \(fields.name ?? ""), \(fields.cluster ?? ""), \(fields.level ?? "other"), \(fields.enrollment ?? 0))
                RETURNING \(unsafeSQL: Self.schoolColumns)
                """
            ).one()
            return try Self.school(row)
        } catch let error as PostgresError where error.isUniqueViolation {
            throw EngagementError.conflict("a school with this code exists", field: "code")
        }
    }

    public func updateSchool(id: Int64, _ fields: SchoolFields, on db: PostgresConnection) async throws -> School {
        try fields.validate()
        let rows = try await db.query(
            """
            UPDATE schools SET name = coalesce(\(fields.name), name), cluster = coalesce(\(fields.cluster), cluster),
                level = coalesce(\(fields.level), level), enrollment = coalesce(\(fields.enrollment), enrollment)
            WHERE id = \(id) RETURNING \(unsafeSQL: Self.schoolColumns)
            """
        )
        guard let row = rows.first else { throw EngagementError.notFound("school") }
        return try Self.school(row)
    }

    public func school(id: Int64, on db: PostgresConnection) async throws -> School {
        guard let row = try await db.query("SELECT \(unsafeSQL: Self.schoolColumns) FROM schools WHERE id = \(id)").first else {
            throw EngagementError.notFound("school")
        }
        return try Self.school(row)
    }

    /// Every school, by id (a district has hundreds at most).
    public func allSchools(on db: PostgresConnection) async throws -> [School] {
        var all: [School] = []
        var cursor: String?
        repeat {
            let page = try await schools(cluster: nil, cursor: cursor, limit: 200, on: db)
            all += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return all
    }

    public func schools(cluster: String?, cursor: String?, limit: Int, on db: PostgresConnection) async throws -> Page<School> {
        let after = try Cursor.afterID(cursor)
        let rows = try await db.query(
            """
            SELECT \(unsafeSQL: Self.schoolColumns) FROM schools
            WHERE id > \(after) AND (\(cluster)::text IS NULL OR cluster = \(cluster))
            ORDER BY id LIMIT \(limit + 1)
            """
        )
        let schools = try rows.map(Self.school)
        return Page(fetched: schools, limit: limit) { String($0.id) }
    }

    static let schoolColumns = "id, code, name, cluster, level, enrollment"

    static func school(_ row: PostgresRow) throws -> School {
        let (id, code, name, cluster, level, enrollment) = try row.decode((Int64, String, String, String, String, Int).self)
        return School(id: id, code: code, name: name, cluster: cluster, level: level, enrollment: enrollment)
    }

    // MARK: Initiatives

    public struct InitiativeFields: Sendable {
        public var slug: String?
        public var title: Translated?
        public var description: Translated?
        public var goalID: Int64?
        public var status: String?
        public var startsOn: String?
        public var endsOn: String?
        public var themeKeywords: [String]?
        public var targets: Targets?
        /// The coordinator (or admin) who owns it; a coordinator changes only what they own.
        public var ownerAccountID: Int64?

        public init(
            slug: String? = nil,
            title: Translated? = nil,
            description: Translated? = nil,
            goalID: Int64? = nil,
            status: String? = nil,
            startsOn: String? = nil,
            endsOn: String? = nil,
            themeKeywords: [String]? = nil,
            targets: Targets? = nil,
            ownerAccountID: Int64? = nil
        ) {
            self.ownerAccountID = ownerAccountID
            self.slug = slug
            self.title = title
            self.description = description
            self.goalID = goalID
            self.status = status
            self.startsOn = startsOn
            self.endsOn = endsOn
            self.themeKeywords = themeKeywords
            self.targets = targets
        }

        /// `creating`: the default language's title is required (a patch merges into what is stored).
        func validate(_ languages: LanguageSet, creating: Bool) throws {
            var validator = Validator()
            if let slug, slug.range(of: "^[a-z0-9]+(-[a-z0-9]+)*$", options: .regularExpression) == nil || slug.count > 80 {
                validator.add("slug", "must be lowercase words joined by hyphens, at most 80 characters")
            }
            validator.translated(title, "title", min: 1, max: 200, required: creating, languages: languages)
            validator.translated(description, "description", max: 4000, required: false, languages: languages)
            validator.id(goalID, "goal_id")
            validator.id(ownerAccountID, "owner_account_id")
            let start = DateOnly.parse(startsOn)
            let end = DateOnly.parse(endsOn)
            if startsOn != nil && start == nil { validator.add("starts_on", "must be a date YYYY-MM-DD") }
            if endsOn != nil && end == nil { validator.add("ends_on", "must be a date YYYY-MM-DD") }
            if let start, let end, end < start { validator.add("ends_on", "must not be before starts_on") }
            for (index, keyword) in (themeKeywords ?? []).enumerated() {
                validator.text(keyword, "theme_keywords[\(index)]", min: 1, max: 60)
            }
            if (themeKeywords?.count ?? 0) > 100 { validator.add("theme_keywords", "must have at most 100 keywords") }
            validator.range(targets?.reachPer100, "targets.reach_per_100", 0...10_000)
            validator.range(targets?.voicePer100, "targets.voice_per_100", 0...10_000)
            validator.range(targets?.participationRate, "targets.participation_rate", 0...1)
            validator.range(targets?.volunteerHours, "targets.volunteer_hours", 0...10_000_000)
            try validator.check()
        }
    }

    /// An owner must be an active account that may plan (admin or coordinator).
    func checkOwner(_ id: Int64?, on db: PostgresConnection) async throws {
        guard let id else { return }
        guard
            try await !db.query(
                "SELECT 1 FROM staff_accounts WHERE id = \(id) AND active AND role IN ('admin', 'coordinator')"
            ).isEmpty
        else { throw EngagementError.invalid("owner_account_id", "must be an active coordinator or admin account") }
    }

    public func createInitiative(_ fields: InitiativeFields, on db: PostgresConnection) async throws -> Initiative {
        try fields.validate(try await DistrictSettings.current(on: db).languageSet, creating: true)
        try await checkOwner(fields.ownerAccountID, on: db)
        do {
            let row = try await db.query(
                """
                INSERT INTO initiatives (slug, title, description, goal_id, status, starts_on, ends_on, theme_keywords, targets,
                                         owner_account_id)
                VALUES (\(fields.slug ?? ""), \(PostgresJSON(fields.title ?? Translated())),
                        \(PostgresJSON(fields.description ?? Translated())), \(fields.goalID),
                        \(fields.status ?? "active"), \(fields.startsOn)::date, \(fields.endsOn)::date,
                        \(fields.themeKeywords ?? []), \(PostgresJSON(fields.targets ?? Targets())), \(fields.ownerAccountID))
                RETURNING \(unsafeSQL: Self.initiativeColumns)
                """
            ).one()
            return try Self.initiative(row)
        } catch let error as PostgresError where error.isUniqueViolation {
            throw EngagementError.conflict("an initiative with this slug exists", field: "slug")
        } catch let error as PostgresError where error.isForeignKeyViolation {
            throw EngagementError.invalid("goal_id", "no such goal")
        }
    }

    public func updateInitiative(id: Int64, _ fields: InitiativeFields, on db: PostgresConnection) async throws -> Initiative {
        try fields.validate(try await DistrictSettings.current(on: db).languageSet, creating: false)
        try await checkOwner(fields.ownerAccountID, on: db)
        let current = try await initiative(id: id, on: db)
        let start = fields.startsOn ?? current.startsOn
        let end = fields.endsOn ?? current.endsOn
        if let start = DateOnly.parse(start), let end = DateOnly.parse(end), end < start {
            throw EngagementError.invalid("ends_on", "must not be before starts_on")
        }
        let targets = fields.targets.map(PostgresJSON.init)
        let row = try await db.query(
            """
            UPDATE initiatives SET title = title || coalesce(\(fields.title.map(PostgresJSON.init))::jsonb, '{}'),
                description = description || coalesce(\(fields.description.map(PostgresJSON.init))::jsonb, '{}'),
                status = coalesce(\(fields.status), status), starts_on = coalesce(\(fields.startsOn)::date, starts_on),
                ends_on = coalesce(\(fields.endsOn)::date, ends_on), theme_keywords = coalesce(\(fields.themeKeywords), theme_keywords),
                targets = coalesce(\(targets), targets), goal_id = coalesce(\(fields.goalID), goal_id),
                owner_account_id = coalesce(\(fields.ownerAccountID), owner_account_id), updated_at = now()
            WHERE id = \(id) RETURNING \(unsafeSQL: Self.initiativeColumns)
            """
        ).one()
        return try Self.initiative(row)
    }

    public func initiative(id: Int64, on db: PostgresConnection) async throws -> Initiative {
        guard let row = try await db.query("SELECT \(unsafeSQL: Self.initiativeColumns) FROM initiatives WHERE id = \(id)").first
        else { throw EngagementError.notFound("initiative") }
        return try Self.initiative(row)
    }

    public func initiatives(status: String?, cursor: String?, limit: Int, on db: PostgresConnection) async throws -> Page<Initiative> {
        let after = try Cursor.afterID(cursor)
        let rows = try await db.query(
            """
            SELECT \(unsafeSQL: Self.initiativeColumns) FROM initiatives
            WHERE id > \(after) AND (\(status)::text IS NULL OR status = \(status))
            ORDER BY id LIMIT \(limit + 1)
            """
        )
        let items = try rows.map(Self.initiative)
        return Page(fetched: items, limit: limit) { String($0.id) }
    }

    /// Every initiative, by id (the district scorecard list).
    public func allInitiatives(on db: PostgresConnection) async throws -> [Initiative] {
        try await db.query("SELECT \(unsafeSQL: Self.initiativeColumns) FROM initiatives ORDER BY id").map(Self.initiative)
    }

    static let initiativeColumns =
        "id, slug, title, description, goal_id, status, starts_on::text, ends_on::text, theme_keywords, targets, owner_account_id"

    static func initiative(_ row: PostgresRow) throws -> Initiative {
        let (id, slug, title, description, goalID) = try row.decode(
            (Int64, String, PostgresJSON<Translated>, PostgresJSON<Translated>, Int64?).self
        )
        return Initiative(
            id: id,
            slug: slug,
            title: title.value,
            description: description.value,
            goalID: goalID,
            status: try row.decode(String.self, at: 5),
            startsOn: try row.decode(String?.self, at: 6),
            endsOn: try row.decode(String?.self, at: 7),
            themeKeywords: try row.decode([String].self, at: 8),
            targets: try row.decode(PostgresJSON<Targets>.self, at: 9).value,
            ownerAccountID: try row.decode(Int64?.self, at: 10)
        )
    }
}

/// Calendar dates as `YYYY-MM-DD` strings (the API's `format: date`).
enum DateOnly {
    static func parse(_ text: String?) -> Date? {
        guard let text, text.count == 10 else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        guard let date = formatter.date(from: text), formatter.string(from: date) == text else { return nil }
        let year = Calendar(identifier: .gregorian).component(.year, from: date)
        return (1900...2200).contains(year) ? date : nil
    }
}
