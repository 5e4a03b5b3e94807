import Foundation
import Postgres
import Scoring

/// Routing rules (issue 17): ordered, first match wins. A rule names any of an initiative, a
/// school, a cluster, a theme or a keyword (every one it names must hold) and an owner — an
/// account or a team. A case no rule matches goes to its initiative's owner; without one it
/// stays new, in the district's queue. Cases are routed once, after their text is scored (the
/// themes are known then); strongly negative sentiment flags a case critical at that point.
public struct CaseRouting: Sendable {
    /// VADER compound at or below which a text is "strongly negative" (docs/cases.md).
    public static let criticalCompound = -0.85

    public struct Rule: Sendable, Codable, Equatable {
        public var id: Int64
        public var position: Int
        public var initiativeID: Int64?
        public var schoolID: Int64?
        public var cluster: String?
        public var theme: String?
        public var keyword: String?
        public var ownerAccountID: Int64?
        public var teamID: Int64?

        public init(
            id: Int64 = 0,
            position: Int = 0,
            initiativeID: Int64? = nil,
            schoolID: Int64? = nil,
            cluster: String? = nil,
            theme: String? = nil,
            keyword: String? = nil,
            ownerAccountID: Int64? = nil,
            teamID: Int64? = nil
        ) {
            self.id = id
            self.position = position
            self.initiativeID = initiativeID
            self.schoolID = schoolID
            self.cluster = cluster
            self.theme = theme
            self.keyword = keyword
            self.ownerAccountID = ownerAccountID
            self.teamID = teamID
        }

        enum CodingKeys: String, CodingKey {
            case id, position, cluster, theme, keyword
            case initiativeID = "initiative_id"
            case schoolID = "school_id"
            case ownerAccountID = "owner_account_id"
            case teamID = "team_id"
        }

        /// What a case offers a rule to match on.
        public struct Facts: Sendable {
            public var initiativeID: Int64
            public var schoolID: Int64?
            public var cluster: String?
            public var themes: [String]
            public var text: String
        }

        public func matches(_ facts: Facts) -> Bool {
            if let initiativeID, initiativeID != facts.initiativeID { return false }
            if let schoolID, schoolID != facts.schoolID { return false }
            if let cluster, cluster != facts.cluster { return false }
            if let theme, !facts.themes.contains(theme) { return false }
            if let keyword, ThemeMatcher(themes: [Theme(name: "k", keywords: [keyword])]).match(facts.text).isEmpty { return false }
            return true
        }
    }

    public init() {}

    public func rules(on db: PostgresConnection) async throws -> [Rule] {
        try await db.query(
            """
            SELECT id, position, initiative_id, school_id, cluster, theme, keyword, owner_account_id, team_id
            FROM routing_rules ORDER BY position, id
            """
        ).map { row in
            let (id, position, initiative, school, cluster, theme, keyword, owner, team) = try row.decode(
                (Int64, Int, Int64?, Int64?, String?, String?, String?, Int64?, Int64?).self
            )
            return Rule(
                id: id,
                position: position,
                initiativeID: initiative,
                schoolID: school,
                cluster: cluster,
                theme: theme,
                keyword: keyword,
                ownerAccountID: owner,
                teamID: team
            )
        }
    }

    /// Adds a rule at the end (audited).
    @discardableResult
    public func add(_ rule: Rule, actor: Audit.Actor, on db: PostgresConnection) async throws -> Int64 {
        var validator = Validator()
        validator.id(rule.initiativeID, "initiative_id")
        validator.id(rule.schoolID, "school_id")
        validator.text(rule.cluster, "cluster", min: 1, max: 100)
        validator.text(rule.theme, "theme", min: 1, max: 100)
        validator.text(rule.keyword, "keyword", min: 1, max: 100)
        if [
            rule.initiativeID.map { _ in 1 }, rule.schoolID.map { _ in 1 }, rule.cluster.map { _ in 1 }, rule.theme.map { _ in 1 },
            rule.keyword.map { _ in 1 },
        ]
        .allSatisfy({ $0 == nil }) {
            validator.add("rule", "name an initiative, school, cluster, theme or keyword", reason: .required)
        }
        if (rule.ownerAccountID == nil) == (rule.teamID == nil) { validator.add("owner", "choose a person or a team", reason: .required) }
        try validator.check()
        if let owner = rule.ownerAccountID,
            try await db.query("SELECT 1 FROM staff_accounts WHERE id = \(owner) AND active AND role <> 'analyst'").isEmpty
        {
            throw EngagementError.invalid("owner", "must be an active account that handles cases")
        }
        if let team = rule.teamID, try await db.query("SELECT 1 FROM staff_teams WHERE id = \(team)").isEmpty {
            throw EngagementError.invalid("team", "no such team")
        }
        if let initiative = rule.initiativeID, try await db.query("SELECT 1 FROM initiatives WHERE id = \(initiative)").isEmpty {
            throw EngagementError.invalid("initiative_id", "no such initiative")
        }
        if let school = rule.schoolID, try await db.query("SELECT 1 FROM schools WHERE id = \(school)").isEmpty {
            throw EngagementError.invalid("school_id", "no such school")
        }
        let id = try await db.query(
            """
            INSERT INTO routing_rules (position, initiative_id, school_id, cluster, theme, keyword, owner_account_id, team_id)
            VALUES ((SELECT coalesce(max(position), 0) + 1 FROM routing_rules), \(rule.initiativeID), \(rule.schoolID), \(rule.cluster),
                    \(rule.theme), \(rule.keyword), \(rule.ownerAccountID), \(rule.teamID))
            RETURNING id
            """
        ).one().decode(Int64.self, at: 0)
        var saved = rule
        saved.id = id
        try await Audit().record("create", "routing_rule", id: "\(id)", new: try Self.values(saved), by: actor, on: db)
        return id
    }

    /// Removes a rule, or moves it one place up (audited).
    public func change(_ id: Int64, action: String, actor: Audit.Actor, on db: PostgresConnection) async throws {
        let all = try await rules(on: db)
        guard let index = all.firstIndex(where: { $0.id == id }) else { throw EngagementError.notFound("routing rule") }
        switch action {
        case "delete":
            try await db.query("DELETE FROM routing_rules WHERE id = \(id)")
            try await Audit().record("delete", "routing_rule", id: "\(id)", old: try Self.values(all[index]), by: actor, on: db)
        case "up":
            guard index > 0 else { return }
            var order = all.map(\.id)
            order.swapAt(index, index - 1)
            for (position, ruleID) in order.enumerated() {
                try await db.query("UPDATE routing_rules SET position = \(position + 1) WHERE id = \(ruleID)")
            }
            try await Audit().record("move", "routing_rule", id: "\(id)", new: ["position": .number(Double(index))], by: actor, on: db)
        default:
            throw EngagementError.invalid("action", "must be delete or up")
        }
    }

    static func values(_ rule: Rule) throws -> [String: JSONValue] {
        try JSONDecoder().decode([String: JSONValue].self, from: try JSONEncoder().encode(rule))
    }

    /// After scoring: routes a case not yet routed, and flags it critical on strongly negative
    /// sentiment. In the scoring transaction, so a rescore routes nothing twice.
    static func afterScoring(source: String, id: Int64, text: String, themes: [String], compound: Double?, on db: PostgresConnection) async throws {
        guard
            let row = try await db.query(
                """
                SELECT c.id, c.initiative_id, c.school_id, s.cluster, c.routed_at IS NULL AND c.status = 'new', i.owner_account_id
                FROM cases c JOIN initiatives i ON i.id = c.initiative_id LEFT JOIN schools s ON s.id = c.school_id
                WHERE c.source = \(source) AND c.source_id = \(id) FOR UPDATE OF c
                """
            ).first
        else { return }
        let (caseID, initiativeID, schoolID, cluster, unrouted, initiativeOwner) = try row.decode(
            (Int64, Int64, Int64?, String?, Bool, Int64?).self
        )
        if let compound, compound <= criticalCompound {
            try await Cases.flagCritical(caseID, reason: "sentiment", on: db)
        }
        guard unrouted else { return }
        let facts = Rule.Facts(initiativeID: initiativeID, schoolID: schoolID, cluster: cluster, themes: themes, text: text)
        let rule = try await CaseRouting().rules(on: db).first { $0.matches(facts) }
        let owner = rule.map(\.ownerAccountID) ?? initiativeOwner
        let team = rule?.teamID
        let assigned = owner != nil || team != nil
        try await db.query(
            """
            UPDATE cases SET routed_at = now(), owner_account_id = \(owner), team_id = \(team), updated_at = now(),
                status = \(assigned ? "assigned" : "new")::case_status
            WHERE id = \(caseID)
            """
        )
        let how = rule.map { "rule \($0.id)" } ?? (assigned ? "initiative owner" : "no rule matched and the initiative has no owner")
        _ = try await Cases.history(caseID, "routed", body: how, on: db)
    }
}
