import Foundation
import HummingbirdBcrypt
import Postgres

/// What a staff member may do (docs/console.md): `admin` everything; `analyst` read everything,
/// change nothing, contact details never; `coordinator` the initiatives they own; `liaison`
/// events and attendance at their schools.
public enum StaffRole: String, Sendable, Codable, CaseIterable {
    case admin, analyst, coordinator, liaison
}

/// A person who works in Chorus (Schema/0013). Never deleted: deactivated, so the audit log
/// keeps who did what.
public struct StaffAccount: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    public var email: String
    public var role: StaffRole
    public var active: Bool
    public var hasPassword: Bool
    public var twoFactor: Bool
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, email, role, active
        case hasPassword = "has_password"
        case twoFactor = "two_factor"
        case createdAt = "created_at"
    }

    /// The fields the audit log shows (no secrets).
    var auditFields: [String: JSONValue] {
        ["name": .string(name), "email": .string(email), "role": .string(role.rawValue), "active": .bool(active)]
    }
}

/// Staff accounts: invitations and resets by one-time link, bcrypt passwords, throttled sign-in,
/// an optional TOTP second factor. Every change writes the audit log in its transaction.
public struct StaffAccounts: Sendable {
    /// How long a link works: a week for an invitation, an hour for a reset.
    public static func lifetime(_ purpose: LinkPurpose) -> TimeInterval { purpose == .invitation ? 7 * 86_400 : 3_600 }
    /// Failed sign-ins within `throttleWindow` before the account, or the client, must wait.
    public static let failuresPerAccount = 5
    public static let failuresPerClient = 20
    public static let throttleWindow: TimeInterval = 15 * 60
    static let bcryptCost: UInt8 = 12

    public enum LinkPurpose: String, Sendable { case invitation, reset }

    public init() {}

    static let columns = "id, name, email, role::text, active, password_hash IS NOT NULL, totp_secret IS NOT NULL, created_at"

    static func account(_ row: PostgresRow) throws -> StaffAccount {
        let (id, name, email, role, active, hasPassword, twoFactor, createdAt) = try row.decode(
            (Int64, String, String, String, Bool, Bool, Bool, Date).self
        )
        return StaffAccount(
            id: id,
            name: name,
            email: email,
            role: StaffRole(rawValue: role) ?? .analyst,
            active: active,
            hasPassword: hasPassword,
            twoFactor: twoFactor,
            createdAt: createdAt
        )
    }

    public func account(id: Int64, on db: PostgresConnection) async throws -> StaffAccount {
        guard let row = try await db.query("SELECT \(unsafeSQL: Self.columns) FROM staff_accounts WHERE id = \(id)").first else {
            throw EngagementError.notFound("staff account")
        }
        return try Self.account(row)
    }

    public func account(email: String, on db: PostgresConnection) async throws -> StaffAccount? {
        try await db.query("SELECT \(unsafeSQL: Self.columns) FROM staff_accounts WHERE lower(email) = lower(\(email))").first
            .map(Self.account)
    }

    public func accounts(on db: PostgresConnection) async throws -> [StaffAccount] {
        try await db.query("SELECT \(unsafeSQL: Self.columns) FROM staff_accounts ORDER BY id").map(Self.account)
    }

    public func isEmpty(on db: PostgresConnection) async throws -> Bool {
        try await db.query("SELECT NOT EXISTS (SELECT 1 FROM staff_accounts)").one().decode(Bool.self, at: 0)
    }

    static func validate(name: String?, email: String?, _ validator: inout Validator) {
        validator.text(name, "name", min: 1, max: 200)
        validator.text(email, "email", min: 3, max: 254)
        if let email, !Self.looksLikeEmail(email) { validator.add("email", "must be an email address") }
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(where: \.isWhitespace)
    }

    /// A new account and its invitation link's secret (shown once to whoever made it).
    public func create(
        name: String,
        email: String,
        role: StaffRole,
        by actor: Audit.Actor,
        on db: PostgresConnection
    ) async throws -> (
        StaffAccount, String
    ) {
        var validator = Validator()
        Self.validate(name: name, email: email, &validator)
        try validator.check()
        let taken = try await db.query("SELECT 1 FROM staff_accounts WHERE lower(email) = lower(\(email))").first != nil
        if taken { throw EngagementError.conflict("an account with this email exists", field: "email") }
        let row = try await db.query(
            """
            INSERT INTO staff_accounts (name, email, role) VALUES (\(name), \(email), \(role.rawValue)::staff_role)
            RETURNING \(unsafeSQL: Self.columns)
            """
        ).one()
        let account = try Self.account(row)
        try await Audit().record("create", "staff_account", id: String(account.id), new: account.auditFields, by: actor, on: db)
        let secret = try await link(for: account.id, .invitation, by: actor, on: db)
        return (account, secret)
    }

    /// On a database without accounts, an administrator and its invitation link's secret; nil
    /// when there is an account. Two starts at once make one admin (the table is locked).
    public func firstAdmin(email: String, by actor: Audit.Actor, on db: PostgresConnection) async throws -> String? {
        try await db.query("LOCK TABLE staff_accounts IN SHARE ROW EXCLUSIVE MODE")
        guard try await isEmpty(on: db) else { return nil }
        return try await create(name: "Administrator", email: email, role: .admin, by: actor, on: db).1
    }

    /// A one-time link's secret for an account; earlier unused links of the account stop working.
    public func link(for accountID: Int64, _ purpose: LinkPurpose, by actor: Audit.Actor, on db: PostgresConnection) async throws -> String {
        _ = try await account(id: accountID, on: db)
        let secret = Tokens.randomHex()
        try await db.query("UPDATE staff_links SET used_at = now() WHERE account_id = \(accountID) AND used_at IS NULL")
        try await db.query(
            """
            INSERT INTO staff_links (token_hash, account_id, purpose, expires_at)
            VALUES (\(Tokens.hash(secret)), \(accountID), \(purpose.rawValue), now() + make_interval(secs => \(Self.lifetime(purpose))))
            """
        )
        try await Audit().record(
            "create_link",
            "staff_account",
            id: String(accountID),
            new: ["purpose": .string(purpose.rawValue)],
            by: actor,
            on: db
        )
        return secret
    }

    /// The account a link is for, while it works (nothing is changed).
    public func linkAccount(_ secret: String, on db: PostgresConnection) async throws -> StaffAccount? {
        guard secret.utf8.count <= 100 else { return nil }
        guard
            let row = try await db.query(
                """
                SELECT a.id FROM staff_links l JOIN staff_accounts a ON a.id = l.account_id
                WHERE l.token_hash = \(Tokens.hash(secret)) AND l.used_at IS NULL AND l.expires_at > now() AND a.active
                """
            ).first
        else { return nil }
        return try await account(id: try row.decode(Int64.self, at: 0), on: db)
    }

    /// Sets the password a link's holder chose; the link is used up, and other sessions of the
    /// account end (a reset locks out whoever knew the old password).
    public func redeem(_ secret: String, password: String, on db: PostgresConnection) async throws -> StaffAccount {
        guard let account = try await linkAccount(secret, on: db) else {
            throw EngagementError.notFound("link", field: "link")
        }
        try Self.validate(password: password)
        let hash = Bcrypt.hash(password, cost: Self.bcryptCost)
        try await db.query("UPDATE staff_links SET used_at = now() WHERE token_hash = \(Tokens.hash(secret))")
        try await db.query("UPDATE staff_accounts SET password_hash = \(hash), updated_at = now() WHERE id = \(account.id)")
        try await db.query("DELETE FROM staff_sessions WHERE account_id = \(account.id)")
        try await Audit().record("set_password", "staff_account", id: String(account.id), by: .account(account.id), on: db)
        return try await self.account(id: account.id, on: db)
    }

    /// Passwords: 10 to 200 characters (NIST SP 800-63B: length, no composition rules).
    static func validate(password: String) throws {
        var validator = Validator()
        validator.text(password, "password", min: 10, max: 200)
        try validator.check()
    }

    public enum SignIn: Sendable, Equatable {
        case signedIn(StaffAccount)
        /// The password was right and a second factor is set, but no code or a wrong one came.
        case needsCode
        case invalid
        /// Too many failures for this account or this client: wait `retryAfter` seconds.
        case throttled(retryAfter: Int)
    }

    /// Checks a sign-in. Throttling comes first (no bcrypt work for a flood); an unknown email
    /// costs the same bcrypt as a known one, so timing does not tell which emails exist.
    public func signIn(
        email: String,
        password: String,
        code: String?,
        client: String,
        requestID: String?,
        on db: PostgresConnection
    )
        async throws -> SignIn
    {
        let email = String(email.trimmingCharacters(in: .whitespaces).prefix(254))
        let client = String(client.prefix(100))
        let counts = try await db.query(
            """
            SELECT count(*) FILTER (WHERE lower(email) = lower(\(email))), count(*) FILTER (WHERE client = \(client)),
                   extract(epoch FROM min(at) FILTER (WHERE lower(email) = lower(\(email)) OR client = \(client)))::float8
            FROM sign_in_failures WHERE at > now() - make_interval(secs => \(Self.throttleWindow))
            """
        ).one()
        let (byEmail, byClient, oldest) = try counts.decode((Int, Int, Double?).self)
        if byEmail >= Self.failuresPerAccount || byClient >= Self.failuresPerClient {
            let retry = Int((oldest ?? Date().timeIntervalSince1970) + Self.throttleWindow - Date().timeIntervalSince1970)
            return .throttled(retryAfter: max(1, retry))
        }
        let row = try await db.query(
            """
            SELECT id, password_hash, totp_secret FROM staff_accounts WHERE lower(email) = lower(\(email)) AND active
            """
        ).first
        let (id, hash, totp) = try row?.decode((Int64, String?, String?).self) ?? (Int64(0), nil, nil)
        let matches = Bcrypt.verify(String(password.prefix(200)), hash: hash ?? Self.unusableHash)
        guard row != nil, hash != nil, matches else {
            try await fail(email: email, client: client, accountID: row == nil ? nil : id, requestID: requestID, on: db)
            return .invalid
        }
        if let totp {
            guard let code, TwoFactor.verify(code, secret: totp) else {
                if code != nil { try await fail(email: email, client: client, accountID: id, requestID: requestID, on: db) }
                return .needsCode
            }
        }
        try await Audit().record("sign_in", "staff_account", id: String(id), by: .account(id, requestID: requestID), on: db)
        return .signedIn(try await account(id: id, on: db))
    }

    func fail(email: String, client: String, accountID: Int64?, requestID: String?, on db: PostgresConnection) async throws {
        try await db.query("INSERT INTO sign_in_failures (email, client) VALUES (\(email), \(client))")
        let actor = Audit.Actor(accountID: nil, label: "client:\(client)", requestID: requestID)
        try await Audit().record("failed_sign_in", "staff_account", id: accountID.map { String($0) }, by: actor, on: db)
    }

    /// A hash no password matches, verified when the email is unknown so both cost the same.
    static let unusableHash = Bcrypt.hash(Tokens.randomHex(), cost: bcryptCost)

    public struct Changes: Sendable, Equatable {
        public var name: String?
        public var role: StaffRole?
        public var active: Bool?

        public init(name: String? = nil, role: StaffRole? = nil, active: Bool? = nil) {
            self.name = name
            self.role = role
            self.active = active
        }
    }

    /// Renames, changes the role of, or (de)activates an account. Deactivating ends its sessions
    /// at once, on every server (they are rows here). An admin cannot deactivate or demote
    /// the last active admin.
    public func update(id: Int64, _ changes: Changes, by actor: Audit.Actor, on db: PostgresConnection) async throws -> StaffAccount {
        var validator = Validator()
        if let name = changes.name { validator.text(name, "name", min: 1, max: 200) }
        try validator.check()
        let old = try await account(id: id, on: db)
        let losesAdmin = old.role == .admin && old.active && (changes.active == false || (changes.role.map { $0 != .admin } ?? false))
        if losesAdmin {
            // The admins' rows locked, so two admins cannot deactivate each other at once.
            let admins = try await db.query("SELECT id FROM staff_accounts WHERE role = 'admin' AND active FOR UPDATE").count
            if admins <= 1 { throw EngagementError.conflict("this is the last active admin", field: "role") }
        }
        try await db.query(
            """
            UPDATE staff_accounts SET name = coalesce(\(changes.name), name), role = coalesce(\(changes.role?.rawValue)::staff_role, role),
                active = coalesce(\(changes.active), active), updated_at = now()
            WHERE id = \(id)
            """
        )
        if changes.active == false { try await db.query("DELETE FROM staff_sessions WHERE account_id = \(id)") }
        let new = try await account(id: id, on: db)
        if new != old {
            let action =
                changes.active == false && old.active ? "deactivate" : (changes.role != nil && changes.role != old.role ? "change_role" : "update")
            try await Audit().record(action, "staff_account", id: String(id), old: old.auditFields, new: new.auditFields, by: actor, on: db)
        }
        return new
    }

    /// Turns the second factor on with a secret the person's app was given, once a code from it
    /// checks out (so nobody locks themselves out with a mistyped secret).
    public func enableTwoFactor(id: Int64, secret: String, code: String, by actor: Audit.Actor, on db: PostgresConnection) async throws {
        guard TwoFactor.verify(code, secret: secret) else { throw EngagementError.invalid("code", "is not the code the app shows now") }
        try await db.query("UPDATE staff_accounts SET totp_secret = \(secret), updated_at = now() WHERE id = \(id)")
        try await Audit().record("enable_two_factor", "staff_account", id: String(id), by: actor, on: db)
    }

}
