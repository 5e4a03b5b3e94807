import Foundation
import Postgres

/// Who is calling (issue 14): a role and the part of the district it reaches. Built per request
/// from a console session or a bearer token, in one query with the scope.
public struct Principal: Sendable, Equatable {
    public var role: StaffRole
    public var accountID: Int64?
    public var tokenID: Int64?
    public var scope: StaffScope

    public init(role: StaffRole, accountID: Int64? = nil, tokenID: Int64? = nil, scope: StaffScope = .everything) {
        self.role = role
        self.accountID = accountID
        self.tokenID = tokenID
        self.scope = scope
    }

    /// For the audit log.
    public func actor(requestID: String?) -> Audit.Actor {
        if let accountID { return .account(accountID, requestID: requestID) }
        return Audit.Actor(accountID: nil, label: "token:\(tokenID ?? 0)", requestID: requestID)
    }

    /// Keys idempotency records and sign-in sheets to the caller.
    public var label: String { accountID.map { "account-\($0)" } ?? "token-\(tokenID ?? 0)" }
}

/// The schools and initiatives a principal reaches; `nil` means all of them. A liaison is limited
/// to the schools (or clusters) assigned to them, a coordinator to the initiatives they own.
public struct StaffScope: Sendable, Equatable {
    public var schools: Set<Int64>?
    public var initiatives: Set<Int64>?

    public static let everything = StaffScope(schools: nil, initiatives: nil)

    public init(schools: Set<Int64>?, initiatives: Set<Int64>?) {
        self.schools = schools
        self.initiatives = initiatives
    }

    /// A record at `school`; a district-wide one (nil) only when every school is in reach.
    public func covers(school: Int64?) -> Bool {
        guard let schools else { return true }
        return school.map(schools.contains) ?? false
    }

    /// A record serving any of `ids`.
    public func covers(initiatives ids: [Int64]) -> Bool {
        guard let initiatives else { return true }
        return ids.contains(where: initiatives.contains)
    }

    /// A record at `school` serving `initiatives` (an event, an opportunity).
    public func covers(school: Int64?, initiatives ids: [Int64]) -> Bool {
        covers(school: school) && covers(initiatives: ids)
    }

    /// The ids as "1,2,3" for a query's `string_to_array` (nil: no limit).
    public var schoolList: String? { schools.map { $0.sorted().map(String.init).joined(separator: ",") } }
    public var initiativeList: String? { initiatives.map { $0.sorted().map(String.init).joined(separator: ",") } }

    public var isEverything: Bool { schools == nil && initiatives == nil }
}

/// Reads principals, with their scope, for tokens and accounts.
public struct StaffAccess: Sendable {
    public init() {}

    /// The scope of account `a`: its schools (directly or by cluster) and its initiatives, as
    /// comma-separated ids (libpq's text format has no cheaper array here).
    static let scopeColumns = """
        a.role::text, a.active,
        (SELECT string_agg(s.id::text, ',') FROM schools s JOIN staff_assignments x
            ON x.account_id = a.id AND (x.school_id = s.id OR x.cluster = s.cluster)),
        (SELECT string_agg(i.id::text, ',') FROM initiatives i WHERE i.owner_account_id = a.id)
        """

    static func scope(role: StaffRole, schools: String?, initiatives: String?) -> StaffScope {
        func ids(_ text: String?) -> Set<Int64> { Set((text ?? "").split(separator: ",").compactMap { Int64($0) }) }
        switch role {
        case .admin, .analyst: return .everything
        case .coordinator: return StaffScope(schools: nil, initiatives: ids(initiatives))
        case .liaison: return StaffScope(schools: ids(schools), initiatives: nil)
        }
    }

    /// The principal of an active account (a console session), or nil.
    public func principal(accountID: Int64, on db: PostgresConnection) async throws -> Principal? {
        guard
            let row = try await db.query(
                "SELECT \(unsafeSQL: Self.scopeColumns) FROM staff_accounts a WHERE a.id = \(accountID)"
            ).first
        else { return nil }
        let (role, active, schools, initiatives) = try row.decode((String, Bool, String?, String?).self)
        guard active, let role = StaffRole(rawValue: role) else { return nil }
        return Principal(role: role, accountID: accountID, scope: Self.scope(role: role, schools: schools, initiatives: initiatives))
    }

    /// The principal of a bearer token: unknown, revoked, or owned by an inactive account → nil.
    /// Marks the token used (at most once a minute, so reads do not each write a row version).
    public func principal(tokenHash: Data, on client: PostgresClient) async throws -> Principal? {
        try await principal(token: "token_hash = \(tokenHash)", on: client)
    }

    /// The principal of token `id` (the liaison pages' session names the token).
    public func principal(tokenID: Int64, on client: PostgresClient) async throws -> Principal? {
        try await principal(token: "id = \(tokenID)", on: client)
    }

    func principal(token condition: PostgresQuery, on client: PostgresClient) async throws -> Principal? {
        guard
            let row = try await client.query(
                """
                WITH t AS (
                    SELECT id, role::text AS role, account_id, last_used_at FROM api_tokens
                    WHERE \(condition) AND revoked_at IS NULL
                ), touched AS (
                    UPDATE api_tokens SET last_used_at = now() FROM t
                    WHERE api_tokens.id = t.id AND (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute')
                )
                SELECT t.id, t.role, t.account_id, \(unsafeSQL: Self.scopeColumns)
                FROM t LEFT JOIN staff_accounts a ON a.id = t.account_id
                """
            ).first
        else { return nil }
        let (tokenID, tokenRole, accountID, accountRole, active, schools, initiatives) = try row.decode(
            (Int64, String?, Int64?, String?, Bool?, String?, String?).self
        )
        guard let accountID else {
            // Tokens made before accounts keep the reach they had: the whole district.
            return tokenRole.flatMap(StaffRole.init(rawValue:)).map { Principal(role: $0, tokenID: tokenID) }
        }
        guard active == true, let role = accountRole.flatMap(StaffRole.init(rawValue:)) else { return nil }
        return Principal(
            role: role,
            accountID: accountID,
            tokenID: tokenID,
            scope: Self.scope(role: role, schools: schools, initiatives: initiatives)
        )
    }

    /// Replaces a liaison's assignments (schools and clusters).
    public func assign(
        accountID: Int64,
        schools: [Int64],
        clusters: [String],
        by actor: Audit.Actor,
        on db: PostgresConnection
    ) async throws {
        let old = try await assignments(accountID: accountID, on: db)
        try await db.query("DELETE FROM staff_assignments WHERE account_id = \(accountID)")
        for school in Set(schools) {
            try await db.query("INSERT INTO staff_assignments (account_id, school_id) VALUES (\(accountID), \(school))")
        }
        for cluster in Set(clusters) {
            try await db.query("INSERT INTO staff_assignments (account_id, cluster) VALUES (\(accountID), \(cluster))")
        }
        let new = try await assignments(accountID: accountID, on: db)
        guard old != new else { return }
        try await Audit().record(
            "update",
            "staff_assignments",
            id: String(accountID),
            old: Self.values(old),
            new: Self.values(new),
            by: actor,
            on: db
        )
    }

    public func assignments(accountID: Int64, on db: PostgresConnection) async throws -> (schools: [Int64], clusters: [String]) {
        let rows = try await db.query(
            "SELECT school_id, cluster FROM staff_assignments WHERE account_id = \(accountID) ORDER BY school_id, cluster"
        )
        var schools: [Int64] = []
        var clusters: [String] = []
        for row in rows {
            let (school, cluster) = try row.decode((Int64?, String?).self)
            if let school { schools.append(school) }
            if let cluster { clusters.append(cluster) }
        }
        return (schools, clusters)
    }

    static func values(_ assignments: (schools: [Int64], clusters: [String])) -> [String: JSONValue] {
        ["schools": .array(assignments.schools.map { .number(Double($0)) }), "clusters": .array(assignments.clusters.map { .string($0) })]
    }
}
