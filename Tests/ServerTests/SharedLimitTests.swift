import Engagement
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import PostgresTesting
import Testing

@testable import Server

/// Issue 18, A4: two servers on one database are one deployment for the public limits. A client
/// allowed a burst of 5 submissions (refilled too slowly to matter here) gets 5 from the pair, not 5 from each; and an account's
/// failed sign-ins on one server count on the other (sign_in_failures is in PostgreSQL).
@Suite("Limits shared by two servers (HTTP + PostgreSQL)")
struct SharedLimitTests {
    @Test func thePublicLimitHoldsForThePair() async throws {
        try await withAPI(submissionsPerClientPerMinute: 0.01, submissionBurst: 5, live: true) { api in
            let second = Application(
                router: try buildRouter(
                    configuration: ServerConfiguration(submissionsPerClientPerMinute: 0.01, submissionBurst: 5),
                    database: Store(api.database)
                ),
                logger: TestDatabase.logger
            )
            try await second.test(.live) { other in
                let seed = try await api.seed()
                let otherFixture = APIFixture(
                    http: other,
                    database: api.database,
                    configuration: api.configuration,
                    admin: api.admin,
                    liaison: api.liaison
                )
                var first = Visitor(api: api)
                _ = try await first.get("/feedback")
                // The same browser (its cookie), sending to either server in turn.
                var second = Visitor(api: otherFixture)
                second.cookies = first.cookies
                var statuses: [Int] = []
                for n in 0..<10 {
                    let fields = [
                        ("initiative_id", String(seed.initiative)), ("group", "families"), ("comment", "comment \(n)"),
                        ("csrf", try await first.token()),
                    ]
                    let page = n % 2 == 0 ? try await first.post("/feedback", fields) : try await second.post("/feedback", fields)
                    statuses.append(Int(page.status.code))
                }
                #expect(statuses.prefix(5).allSatisfy { $0 == 200 }, "\(statuses)")
                #expect(statuses.dropFirst(5).allSatisfy { $0 == 429 }, "each server alone would allow 5: \(statuses)")
                #expect(try await api.count("feedback") == 5)
                // The bucket is keyed by a keyed hash: the address is not stored.
                #expect(try await api.count("rate_buckets") == 1)
                let stored = try await api.database.query(
                    "SELECT count(*) FROM rate_buckets WHERE position(convert_to('127.0.0.1', 'UTF8') in key) > 0"
                ).one().decode(Int.self, at: 0)
                #expect(stored == 0)
            }
        }
    }

    @Test func signInFailuresOnOneServerCountOnTheOther() async throws {
        try await withAPI { api in
            let account = try await ConsoleSignInTests.account(api, email: "sam@district.example", role: .analyst)
            var first = Visitor(api: api)
            for _ in 0..<StaffAccounts.failuresPerAccount {
                _ = try await ConsoleSignInTests.signIn(&first, email: account.email, password: "not the password at all")
            }
            // The right password, now through a second server: still throttled.
            let second = Application(
                router: try buildRouter(configuration: ServerConfiguration(), database: Store(api.database)),
                logger: TestDatabase.logger
            )
            try await second.test(.router) { other in
                let fixture = APIFixture(
                    http: other,
                    database: api.database,
                    configuration: api.configuration,
                    admin: api.admin,
                    liaison: api.liaison
                )
                var visitor = Visitor(api: fixture)
                let page = try await ConsoleSignInTests.signIn(&visitor, email: account.email)
                #expect(page.status == .tooManyRequests)
            }
        }
    }
}
