import Engagement
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

@testable import Server

/// Issue 14, first part: staff accounts, sign-in, sessions shared by servers, the audit log.
@Suite("Staff console sign-in and the audit log (HTTP + PostgreSQL)")
struct ConsoleSignInTests {
    static let password = "correct horse battery staple"

    /// An account with a password, made through its invitation link as a person would.
    static func account(_ api: APIFixture, email: String, role: StaffRole) async throws -> StaffAccount {
        let store = Store(api.database)
        let (account, secret) = try await store.transaction {
            try await StaffAccounts().create(name: "Test \(role.rawValue)", email: email, role: role, by: .command("test"), on: $0)
        }
        _ = try await store.transaction { try await StaffAccounts().redeem(secret, password: password, on: $0) }
        return account
    }

    static func signIn(_ visitor: inout Visitor, email: String, password: String = password, code: String? = nil) async throws -> Visitor.Page {
        _ = try await visitor.get("/console/login")
        var fields = [("csrf", try await visitor.token()), ("email", email), ("password", password)]
        if let code { fields.append(("code", code)) }
        return try await visitor.post("/console/login", fields)
    }

    static func auditCount(_ api: APIFixture, _ action: String) async throws -> Int {
        try await api.database.query("SELECT count(*) FROM audit_log WHERE action = \(action) AND entity <> 'api_token'").one().decode(
            Int.self,
            at: 0
        )
    }

    @Test func theFirstAdminsLinkSetsAPasswordOnceAndSignsIn() async throws {
        try await withAPI { api in
            let store = Store(api.database)
            let secret = try #require(
                try await store.transaction { try await StaffAccounts().firstAdmin(email: "ana@district.example", by: .command("test"), on: $0) }
            )
            #expect(
                try await store.transaction { try await StaffAccounts().firstAdmin(email: "x@district.example", by: .command("test"), on: $0) } == nil
            )
            var visitor = Visitor(api: api)
            let page = try await visitor.get("/console/welcome/\(secret)")
            #expect(page.status == .ok && page.html.contains("ana@district.example"))
            let token = try await visitor.token()
            let mismatch = try await visitor.post("/console/welcome/\(secret)", [("csrf", token), ("password", Self.password), ("confirm", "other")])
            #expect(mismatch.status == .unprocessableContent && mismatch.html.contains("not the same"))
            let short = try await visitor.post("/console/welcome/\(secret)", [("csrf", token), ("password", "short"), ("confirm", "short")])
            #expect(short.status == .unprocessableContent && short.html.contains("at least 10"))
            let set = try await visitor.post(
                "/console/welcome/\(secret)",
                [("csrf", token), ("password", Self.password), ("confirm", Self.password)]
            )
            #expect(set.status == .seeOther && set.headers[.location]?.hasPrefix("/console") == true)
            let cookie = try #require(set.headers[values: .setCookie].first { $0.hasPrefix("chorus_staff=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Max-Age=28800"))
            let home = try await visitor.get("/console")
            #expect(home.status == .ok && home.html.contains("Signed in as") && home.html.contains("/console/accounts"))
            // Used up: the link no longer works, not even to look at.
            var stranger = Visitor(api: api)
            #expect(try await stranger.get("/console/welcome/\(secret)").status == .notFound)
            #expect(try await stranger.get("/console/welcome/\(String(repeating: "f", count: 64))").status == .notFound)
            // The session is a row keyed by a hash of the cookie's id, not the id itself.
            let id = String(cookie.dropFirst("chorus_staff=".count).prefix { $0 != ";" })
            #expect(
                try await api.database.query("SELECT count(*) FROM staff_sessions WHERE key_hash::text LIKE \("%" + id + "%")").one().decode(
                    Int.self,
                    at: 0
                ) == 0
            )
            #expect(try await api.database.query("SELECT count(*) FROM staff_sessions").one().decode(Int.self, at: 0) == 1)
            #expect(try await Self.auditCount(api, "create") == 1)
            #expect(try await Self.auditCount(api, "set_password") == 1)
            // Signing out ends the session on the server, not only in the browser.
            let signedOut = try await visitor.post("/console/logout", [("csrf", try await visitor.token())])
            #expect(signedOut.status == .seeOther)
            #expect(try await api.database.query("SELECT count(*) FROM staff_sessions").one().decode(Int.self, at: 0) == 0)
        }
    }

    @Test func wrongPasswordsAreThrottledPerAccountAndEveryTryIsAudited() async throws {
        try await withAPI { api in
            let account = try await Self.account(api, email: "Ben@District.example", role: .analyst)
            var visitor = Visitor(api: api)
            for _ in 0..<StaffAccounts.failuresPerAccount {
                let wrong = try await Self.signIn(&visitor, email: "ben@district.example", password: "not the password")
                #expect(wrong.status == .unauthorized && wrong.html.contains("do not match"))
            }
            let throttled = try await Self.signIn(&visitor, email: "ben@district.example")
            #expect(throttled.status == .tooManyRequests && throttled.html.contains("Too many failed"))
            #expect(Int(throttled.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(try await Self.auditCount(api, "failed_sign_in") == StaffAccounts.failuresPerAccount)
            let audited = try await api.database.query(
                "SELECT count(*) FROM audit_log WHERE action = 'failed_sign_in' AND entity_id = \(String(account.id))"
            )
            #expect(try audited.one().decode(Int.self, at: 0) == StaffAccounts.failuresPerAccount)
            // An unknown email fails the same way and says nothing about which emails exist.
            let unknown = try await Self.signIn(&visitor, email: "nobody@district.example")
            #expect(unknown.status == .unauthorized && unknown.html.contains("do not match"))
            #expect(try await Self.auditCount(api, "sign_in") == 0)
        }
    }

    @Test func aSecondFactorIsRequiredOnceSet() async throws {
        try await withAPI { api in
            let account = try await Self.account(api, email: "cy@district.example", role: .coordinator)
            let secret = TwoFactor.newSecret()
            let store = Store(api.database)
            await #expect(throws: EngagementError.self) {
                try await store.transaction {
                    try await StaffAccounts().enableTwoFactor(id: account.id, secret: secret, code: "000000", by: .account(account.id), on: $0)
                }
            }
            try await store.transaction {
                try await StaffAccounts().enableTwoFactor(
                    id: account.id,
                    secret: secret,
                    code: TwoFactor.code(secret: secret),
                    by: .account(account.id),
                    on: $0
                )
            }
            var visitor = Visitor(api: api)
            let asked = try await Self.signIn(&visitor, email: "cy@district.example")
            #expect(asked.status == .unauthorized && asked.html.contains(#"id="code""#) && !asked.html.contains("error-summary"))
            let wrongCode = try await Self.signIn(
                &visitor,
                email: "cy@district.example",
                code: "123456" == TwoFactor.code(secret: secret) ? "654321" : "123456"
            )
            #expect(wrongCode.status == .unauthorized && wrongCode.html.contains("not the one your app shows"))
            #expect(visitor.cookies["chorus_staff"] == nil)
            let signedIn = try await Self.signIn(&visitor, email: "cy@district.example", code: TwoFactor.code(secret: secret))
            #expect(signedIn.status == .seeOther && visitor.cookies["chorus_staff"] != nil)
            #expect(try await Self.auditCount(api, "enable_two_factor") == 1)
        }
    }

    @Test func deactivatingAnAccountSignsItOutAtOnceOnAnotherServerToo() async throws {
        try await withAPI { api in
            let account = try await Self.account(api, email: "dee@district.example", role: .admin)
            _ = try await Self.account(api, email: "other-admin@district.example", role: .admin)
            var visitor = Visitor(api: api)
            #expect(try await Self.signIn(&visitor, email: "dee@district.example").status == .seeOther)
            let cookies = visitor.cookies
            // A second server on the same database: its own router, the same session rows.
            let other = Application(router: try buildRouter(database: Store(api.database)))
            try await other.test(.router) { http in
                var elsewhere = Visitor(
                    api: APIFixture(http: http, database: api.database, configuration: api.configuration, admin: api.admin, liaison: api.liaison)
                )
                elsewhere.cookies = cookies
                #expect(try await elsewhere.get("/console").status == .ok)
                _ = try await Store(api.database).transaction {
                    try await StaffAccounts().update(id: account.id, .init(active: false), by: .command("test"), on: $0)
                }
                let after = try await elsewhere.get("/console")
                #expect(after.status == .seeOther && after.headers[.location]?.hasPrefix("/console/login") == true)
            }
            #expect(try await visitor.get("/console").status == .seeOther)
            #expect(try await Self.signIn(&visitor, email: "dee@district.example").status == .unauthorized)
            let row = try await api.database.query(
                "SELECT old_values->>'active', new_values->>'active', actor FROM audit_log WHERE action = 'deactivate'"
            ).one()
            #expect(try row.decode((String, String, String).self) == ("true", "false", "cli:test"))
        }
    }

    @Test func rolesGateThePagesAndAnInvitationIsAudited() async throws {
        try await withAPI { api in
            let admin = try await Self.account(api, email: "eve@district.example", role: .admin)
            _ = try await Self.account(api, email: "fay@district.example", role: .analyst)
            var analyst = Visitor(api: api)
            #expect(try await Self.signIn(&analyst, email: "fay@district.example").status == .seeOther)
            #expect(try await analyst.get("/console").status == .ok)
            #expect(try await analyst.get("/console/accounts").status == .forbidden)
            // Analysts read everything, the audit log too, and change nothing.
            #expect(try await analyst.get("/console/audit").status == .ok)
            #expect(
                try await analyst.post(
                    "/console/accounts",
                    [("csrf", try await analyst.token()), ("name", "X"), ("email", "x@y.example"), ("role", "admin")]
                ).status == .forbidden
            )
            var visitor = Visitor(api: api)
            #expect(try await Self.signIn(&visitor, email: "eve@district.example").status == .seeOther)
            #expect(try await visitor.get("/console/accounts").status == .ok)
            let token = try await visitor.token()
            let bad = try await visitor.post("/console/accounts", [("csrf", token), ("name", ""), ("email", "not an email"), ("role", "analyst")])
            #expect(bad.status == .unprocessableContent && bad.html.contains(##"href="#name""##) && bad.html.contains(##"href="#email""##))
            let taken = try await visitor.post(
                "/console/accounts",
                [("csrf", token), ("name", "Fay"), ("email", "FAY@district.example"), ("role", "analyst")]
            )
            #expect(taken.status == .unprocessableContent && taken.html.contains("exists"))
            let invited = try await visitor.post(
                "/console/accounts",
                [("csrf", token), ("name", "Gus"), ("email", "gus@district.example"), ("role", "liaison")]
            )
            #expect(invited.status == .ok && invited.html.contains("/console/welcome/"))
            let row = try await api.database.query(
                """
                SELECT account_id, new_values->>'email', new_values->>'role', request_id IS NOT NULL FROM audit_log
                WHERE action = 'create' AND new_values->>'email' = 'gus@district.example'
                """
            ).one()
            #expect(try row.decode((Int64, String, String, Bool).self) == (admin.id, "gus@district.example", "liaison", true))
            let audit = try await visitor.get("/console/audit?entity=staff_account&action=create")
            #expect(audit.status == .ok && audit.html.contains("gus@district.example") && !audit.html.contains("sign_in"))
            // A forged or cross-site post changes nothing.
            let before = try await api.database.query("SELECT count(*) FROM staff_accounts").one().decode(Int.self, at: 0)
            let forged = try await visitor.post(
                "/console/accounts",
                [("csrf", "1.forged"), ("name", "Hal"), ("email", "hal@district.example"), ("role", "admin")]
            )
            #expect(forged.status == .unprocessableContent)
            #expect(try await api.database.query("SELECT count(*) FROM staff_accounts").one().decode(Int.self, at: 0) == before)
        }
    }

    @Test func theAuditLogRefusesUpdateDeleteAndTruncate() async throws {
        try await withAPI { api in
            _ = try await Self.account(api, email: "ida@district.example", role: .admin)
            #expect(try await api.database.query("SELECT count(*) FROM audit_log").one().decode(Int.self, at: 0) >= 3)
            for statement in ["UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
                await #expect(throws: PostgresError.self, "\(statement)") { try await api.database.query(PostgresQuery(unsafeSQL: statement)) }
            }
            #expect(try await api.database.query("SELECT count(*) FROM audit_log WHERE actor = 'someone else'").one().decode(Int.self, at: 0) == 0)
        }
    }
}
