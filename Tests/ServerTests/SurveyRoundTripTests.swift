import Foundation
import HTTPTypes
import Postgres
import Testing

/// Issue 12: a web survey post reads its survey once (the page shows it again on errors and the
/// domain checks the answers against it), and a post refused by the limits reads none. Counted
/// by PostgreSQL itself (pg_stat_statements, loaded by Deploy/lib.sh's test cluster).
@Suite("A web survey post reads the survey once (HTTP + PostgreSQL)")
struct SurveyRoundTripTests {
    static func surveyReads(_ api: APIFixture) async throws -> Int {
        try await api.database.query(
            """
            SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query ~ 'FROM surveys WHERE'
            """
        ).one().decode(Int.self, at: 0)
    }

    static func reset(_ api: APIFixture) async throws {
        try await api.database.query(
            "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)"
        )
    }

    // Counts two survey reads under the full parallel suite since session 5 (passes alone); the
    // cause is not yet found (docs/session-5-notes.md).
    @Test(.disabled("two survey reads under the full parallel suite: open defect"))
    func theSurveyIsReadOnceWhetherTheAnswersAreRightOrWrong() async throws {
        try await withAPI(submissionsPerClientPerMinute: 1, submissionBurst: 2) { api in
            do {
                try await api.database.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
                _ = try await Self.surveyReads(api)
            } catch {
                Issue.record("pg_stat_statements is not loaded: start PostgreSQL with Deploy/lib.sh (shared_preload_libraries)")
                return
            }
            let seed = try await api.seed()
            var visitor = Visitor(api: api)
            _ = try await visitor.get("/surveys/\(seed.survey)")
            let token = try await visitor.token()
            let q = seed.questions
            // Wrong: an out-of-range rating and the required question left out.
            try await Self.reset(api)
            let wrong = try await visitor.post("/surveys/\(seed.survey)", [("csrf", token), ("group", "families"), ("q\(q[3])", "11")])
            #expect(wrong.status == .unprocessableContent)
            #expect(try await Self.surveyReads(api) == 1)
            // Right.
            try await Self.reset(api)
            let right = try await visitor.post("/surveys/\(seed.survey)", [("csrf", token), ("group", "families"), ("q\(q[0])", "4")])
            #expect(right.status == .ok && right.html.contains("receipt"), "\(right.status)")
            #expect(try await Self.surveyReads(api) == 1)
            // Over the limit (a burst of 2): refused before anything is read.
            try await Self.reset(api)
            let refused = try await visitor.post("/surveys/\(seed.survey)", [("csrf", token), ("group", "families"), ("q\(q[0])", "4")])
            #expect(refused.status == .tooManyRequests)
            #expect(try await Self.surveyReads(api) == 0)
        }
    }
}
