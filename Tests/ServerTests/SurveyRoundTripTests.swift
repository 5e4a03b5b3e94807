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

    /// What read the surveys table since the reset, for the failure message.
    static func surveyStatements(_ api: APIFixture) async throws -> String {
        try await api.database.query(
            """
            SELECT calls::text || ' × ' || query FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND query ~ 'surveys'
            """
        ).map { try $0.decode(String.self, at: 0) }.joined(separator: "\n")
    }

    static func expectReads(_ expected: Int, _ api: APIFixture, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let reads = try await surveyReads(api)
        let statements = try await surveyStatements(api)
        #expect(reads == expected, "\(statements)", sourceLocation: sourceLocation)
    }

    static func reset(_ api: APIFixture) async throws {
        try await api.database.query(
            "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)"
        )
    }

    @Test
    func theSurveyIsReadOnceWhetherTheAnswersAreRightOrWrong() async throws {
        // A burst of 2 and (next to) no refill, however slowly a loaded machine runs the test.
        try await withAPI(submissionsPerClientPerMinute: 0.001, submissionBurst: 2) { api in
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
            try await Self.expectReads(1, api)
            // Right.
            try await Self.reset(api)
            let right = try await visitor.post("/surveys/\(seed.survey)", [("csrf", token), ("group", "families"), ("q\(q[0])", "4")])
            #expect(right.status == .ok && right.html.contains("receipt"), "\(right.status)")
            try await Self.expectReads(1, api)
            // Over the limit (a burst of 2): refused before anything is read.
            try await Self.reset(api)
            let refused = try await visitor.post("/surveys/\(seed.survey)", [("csrf", token), ("group", "families"), ("q\(q[0])", "4")])
            #expect(refused.status == .tooManyRequests)
            try await Self.expectReads(0, api)
        }
    }
}
