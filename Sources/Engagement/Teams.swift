import Foundation
import Postgres

/// Teams that own cases together, the district's own critical terms, and who is alerted of
/// critical cases (issue 17): administrators' settings, every change audited.
public struct Teams: Sendable {
    public struct Team: Sendable, Equatable {
        public var id: Int64
        public var name: String
        public var members: [String]
    }

    public init() {}

    /// Every team with its members' names, by name.
    public func all(on db: PostgresConnection) async throws -> [Team] {
        let members = try await db.query(
            "SELECT m.team_id, a.name FROM staff_team_members m JOIN staff_accounts a ON a.id = m.account_id ORDER BY a.name"
        ).map { try $0.decode((Int64, String).self) }
        return try await db.query("SELECT id, name FROM staff_teams ORDER BY name").map { row in
            let (id, name) = try row.decode((Int64, String).self)
            return Team(id: id, name: name, members: members.filter { $0.0 == id }.map(\.1))
        }
    }

    /// The district's own critical terms (language, term).
    public static func districtTerms(on db: PostgresConnection) async throws -> [(String, String)] {
        try await db.query("SELECT language, term FROM critical_terms ORDER BY language, term").map { try $0.decode((String, String).self) }
    }

    /// The accounts alerted of critical cases.
    public static func alerted(on db: PostgresConnection) async throws -> Set<Int64> {
        Set(try await db.query("SELECT id FROM staff_accounts WHERE receives_alerts").map { try $0.decode(Int64.self, at: 0) })
    }

    public func create(name: String, actor: Audit.Actor, on db: PostgresConnection) async throws {
        var validator = Validator()
        validator.text(name, "name", min: 1, max: 100)
        try validator.check()
        guard
            let id = try await db.query("INSERT INTO staff_teams (name) VALUES (\(name)) ON CONFLICT (name) DO NOTHING RETURNING id").first?
                .decode(Int64.self, at: 0)
        else { throw EngagementError.conflict("a team with this name exists", field: "name") }
        try await Audit().record("create", "staff_team", id: "\(id)", new: ["name": .string(name)], by: actor, on: db)
    }

    public func addMember(team: Int64, account: Int64, actor: Audit.Actor, on db: PostgresConnection) async throws {
        guard try await !db.query("SELECT 1 FROM staff_teams WHERE id = \(team)").isEmpty else { throw EngagementError.notFound("team") }
        guard try await !db.query("SELECT 1 FROM staff_accounts WHERE id = \(account) AND active AND role <> 'analyst'").isEmpty else {
            throw EngagementError.invalid("account", "must be an active account that handles cases")
        }
        try await db.query("INSERT INTO staff_team_members (team_id, account_id) VALUES (\(team), \(account)) ON CONFLICT DO NOTHING")
        try await Audit().record("add_member", "staff_team", id: "\(team)", new: ["account_id": .number(Double(account))], by: actor, on: db)
    }

    /// Adds (or removes) one of the district's critical terms.
    public static func criticalTerm(_ term: String, language: String, remove: Bool, actor: Audit.Actor, on db: PostgresConnection) async throws {
        var validator = Validator()
        validator.text(term, "term", min: 2, max: 100)
        if !DistrictSettings.isLanguageTag(language) { validator.add("language", "must be a language tag") }
        try validator.check()
        let tag = DistrictSettings.canonicalTag(language)
        let clean = term.trimmingCharacters(in: .whitespacesAndNewlines)
        if remove {
            try await db.query("DELETE FROM critical_terms WHERE language = \(tag) AND term = \(clean)")
        } else {
            try await db.query(
                "INSERT INTO critical_terms (language, term, added_by) VALUES (\(tag), \(clean), \(actor.accountID)) ON CONFLICT DO NOTHING"
            )
        }
        try await Audit().record(
            remove ? "delete" : "create",
            "critical_term",
            id: "\(tag)/\(clean)",
            new: ["term": .string(clean), "language": .string(tag)],
            by: actor,
            on: db
        )
    }

    /// Exactly these accounts receive alerts of critical cases.
    public static func alertContacts(_ accounts: [Int64], actor: Audit.Actor, on db: PostgresConnection) async throws {
        let ids = accounts.map(String.init)
        try await db.query(
            "UPDATE staff_accounts SET receives_alerts = (id::text = ANY(\(ids)::text[])) WHERE receives_alerts <> (id::text = ANY(\(ids)::text[]))"
        )
        try await Audit().record(
            "update",
            "alert_contacts",
            id: nil,
            new: ["account_ids": .array(accounts.map { .number(Double($0)) })],
            by: actor,
            on: db
        )
    }
}
