import Engagement
import Foundation
import HTTPTypes
import Postgres
import Testing

@testable import Server

/// Issue 14, A2: every API operation and console page against the public and each staff role,
/// generated from the one access table; then scope — a liaison's schools, a coordinator's
/// initiatives — where a record out of reach is 404.
@Suite("Access table: roles × routes and scopes (HTTP + PostgreSQL)")
struct AccessMatrixTests {
    /// An account of `role` (password set through its link) and a token it owns.
    static func staff(_ api: APIFixture, _ role: StaffRole, _ email: String) async throws -> (StaffAccount, String) {
        let account = try await ConsoleSignInTests.account(api, email: email, role: role)
        let token = try await Store(api.database).transaction {
            try await Tokens().create(name: email, owner: account.id, by: .command("test"), on: $0).1
        }
        return (account, token)
    }

    static func path(_ route: String) -> (HTTPRequest.Method, String) {
        let parts = route.split(separator: " ")
        let path = parts[1].replacingOccurrences(of: "\\{[A-Za-z]+\\}", with: "1", options: .regularExpression)
        return (HTTPRequest.Method(String(parts[0]))!, path.hasPrefix("/console") ? path : "/api/v1" + path)
    }

    @Test func everyRoleAgainstEveryRouteOfTheTable() async throws {
        try await withAPI { api in
            var tokens: [StaffRole: String] = [:]
            var visitors: [StaffRole: Visitor] = [:]
            for role in StaffRole.allCases {
                let (account, token) = try await Self.staff(api, role, "\(role.rawValue)@district.example")
                tokens[role] = token
                var visitor = Visitor(api: api)
                let signedIn = try await ConsoleSignInTests.signIn(&visitor, email: account.email)
                #expect(signedIn.status == .seeOther, "\(role) signs in")
                visitors[role] = visitor
            }
            let callers: [StaffRole?] = [nil] + StaffRole.allCases
            var checked = 0
            for (route, rule) in AccessTable.rules.sorted(by: { $0.key < $1.key }) {
                let (method, path) = Self.path(route)
                for role in callers {
                    let name = role?.rawValue ?? "public"
                    let allowed = rule.allows(role)
                    if path.hasPrefix("/console") {
                        // Signing out would end the visitor's session for the routes after it.
                        if route == "POST /console/logout" && role != nil { continue }
                        var visitor = role.flatMap { visitors[$0] } ?? Visitor(api: api)
                        _ = try await visitor.get("/console/login")
                        let page =
                            method == .get ? try await visitor.get(path) : try await visitor.post(path, [("csrf", try await visitor.token())])
                        let toSignIn = page.status == .seeOther && page.headers[.location]?.hasPrefix("/console/login") == true
                        #expect(page.status.code < 500, "\(name) \(route): \(page.status)")
                        if allowed {
                            #expect(page.status != .forbidden, "\(name) \(route)")
                            if rule != .everyone { #expect(!toSignIn, "\(name) \(route)") }
                        } else if role == nil {
                            #expect(toSignIn, "\(name) \(route): \(page.status)")
                        } else {
                            #expect(page.status == .forbidden, "\(name) \(route): \(page.status)")
                        }
                    } else {
                        let reply = try await api.call(method, path, token: role.flatMap { tokens[$0] }, json: method == .get ? nil : [:])
                        #expect(reply.status.code < 500, "\(name) \(route): \(reply.text)")
                        if allowed {
                            #expect(![401, 403].contains(reply.status.code), "\(name) \(route): \(reply.status)")
                        } else {
                            #expect(reply.status == (role == nil ? .unauthorized : .forbidden), "\(name) \(route): \(reply.status)")
                            #expect(reply.isProblem)
                        }
                    }
                    checked += 1
                }
            }
            // 59 operations and 62 pages, 5 callers each, less the 4 sign-outs skipped.
            #expect(checked == AccessTable.rules.count * 5 - 4)
            #expect(AccessTable.rules.keys.filter { $0.contains(" /console") }.count == 62)
        }
    }

    @Test func aLiaisonReachesTheirClusterAndACoordinatorTheirInitiatives() async throws {
        try await withAPI { api in
            let (coordinator, coordinatorToken) = try await Self.staff(api, .coordinator, "coordinator@district.example")
            let (north, northToken) = try await Self.staff(api, .liaison, "north@district.example")
            let (south, southToken) = try await Self.staff(api, .liaison, "south@district.example")
            func create(_ path: String, _ json: [String: Any]) async throws -> Int64 {
                let reply = try await api.call(.post, path, token: api.admin, json: json)
                #expect(reply.status == .created, "\(path): \(reply.text)")
                return reply.id
            }
            let owned = try await create("/api/v1/initiatives", ["slug": "owned", "title": "Owned"])
            let other = try await create("/api/v1/initiatives", ["slug": "other", "title": "Other"])
            try await api.database.query("UPDATE initiatives SET owner_account_id = \(coordinator.id) WHERE id = \(owned)")
            func school(_ code: String, _ cluster: String) async throws -> Int64 {
                try await create("/api/v1/schools", ["code": code, "name": code, "cluster": cluster, "level": "elementary", "enrollment": 300])
            }
            let northSchool = try await school("N1", "North")
            let southSchool = try await school("S1", "South")
            try await Store(api.database).transaction { db in
                try await StaffAccess().assign(accountID: north.id, schools: [], clusters: ["North"], by: .command("test"), on: db)
                try await StaffAccess().assign(accountID: south.id, schools: [southSchool], clusters: [], by: .command("test"), on: db)
            }
            func event(_ school: Int64, _ initiative: Int64) -> [String: Any] {
                [
                    "title": "Night", "kind": "family_night", "initiative_ids": [initiative], "school_id": school,
                    "starts_at": "2026-10-01T23:00:00Z", "ends_at": "2026-10-02T01:00:00Z",
                ]
            }
            let northEvent = try await create("/api/v1/events", event(northSchool, owned))
            let southEvent = try await create("/api/v1/events", event(southSchool, other))

            // Liaisons: their cluster's or school's events, and nothing of the other's.
            #expect(try await api.call(.get, "/api/v1/events/\(northEvent)", token: northToken).status == .ok)
            let hidden = try await api.call(.get, "/api/v1/events/\(northEvent)", token: southToken)
            #expect(hidden.status == .notFound && hidden.isProblem)
            #expect(try await api.call(.get, "/api/v1/events/\(northEvent)/attendance", token: southToken).status == .notFound)
            let headcount: [String: Any] = ["kind": "headcount", "group": "families", "count": 12]
            #expect(try await api.call(.post, "/api/v1/events/\(northEvent)/attendance", token: southToken, json: headcount).status == .notFound)
            #expect(try await api.call(.post, "/api/v1/events/\(northEvent)/attendance", token: northToken, json: headcount).status == .created)
            #expect(try await api.call(.get, "/api/v1/events", token: southToken).items.compactMap { $0["id"] as? Int } == [Int(southEvent)])
            #expect(try await api.call(.get, "/api/v1/events", token: northToken).items.compactMap { $0["id"] as? Int } == [Int(northEvent)])
            #expect(try await api.call(.get, "/api/v1/events", token: api.admin).items.count == 2)
            let elsewhere = try await api.call(.post, "/api/v1/events", token: southToken, json: event(northSchool, other))
            #expect(elsewhere.status == .forbidden && elsewhere.text.contains("school_id"))
            #expect(try await api.call(.post, "/api/v1/events", token: southToken, json: event(southSchool, other)).status == .created)

            // The coordinator: their initiative's records, not the other's.
            let rename: [String: Any] = ["title": "Renamed"]
            #expect(try await api.call(.patch, "/api/v1/initiatives/\(owned)", token: coordinatorToken, json: rename).status == .ok)
            #expect(try await api.call(.patch, "/api/v1/initiatives/\(other)", token: coordinatorToken, json: rename).status == .notFound)
            #expect(try await api.call(.get, "/api/v1/events/\(northEvent)", token: coordinatorToken).status == .ok)
            #expect(try await api.call(.get, "/api/v1/events/\(southEvent)", token: coordinatorToken).status == .notFound)
            let survey: (Int64) -> [String: Any] = {
                [
                    "initiative_id": $0, "title": "Check-in", "opens_at": "2026-01-01T00:00:00Z",
                    "questions": [["kind": "text", "prompt": "Anything?"]],
                ]
            }
            let refused = try await api.call(.post, "/api/v1/surveys", token: coordinatorToken, json: survey(other))
            #expect(refused.status == .forbidden && refused.text.contains("initiative_id"))
            #expect(try await api.call(.post, "/api/v1/surveys", token: coordinatorToken, json: survey(owned)).status == .created)

            // The liaison pages read the same table and scope.
            var visitor = Visitor(api: api)
            _ = try await visitor.get("/liaison/login")
            #expect(try await visitor.post("/liaison/login", [("csrf", try await visitor.token()), ("token", southToken)]).status == .seeOther)
            #expect(try await visitor.get("/liaison/events/\(northEvent)").status == .notFound)
            #expect(try await visitor.get("/liaison/events/\(southEvent)").status == .ok)
            #expect(try await !visitor.get("/liaison").html.contains("/liaison/events/\(northEvent)"))

            // An account's tokens act with its role as it is now, and end with the account.
            _ = try await Store(api.database).transaction {
                try await StaffAccounts().update(id: south.id, .init(role: .analyst), by: .command("test"), on: $0)
            }
            #expect(try await api.call(.post, "/api/v1/events", token: southToken, json: event(southSchool, other)).status == .forbidden)
            #expect(try await api.call(.get, "/api/v1/events/\(northEvent)", token: southToken).status == .ok)
            _ = try await Store(api.database).transaction {
                try await StaffAccounts().update(id: north.id, .init(active: false), by: .command("test"), on: $0)
            }
            #expect(try await api.call(.get, "/api/v1/events", token: northToken).status == .unauthorized)
            let used = try await api.database.query("SELECT count(*) FROM api_tokens WHERE last_used_at IS NOT NULL").one().decode(Int.self, at: 0)
            #expect(used >= 3)
        }
    }
}
