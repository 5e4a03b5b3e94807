import Engagement
import Foundation
import HTTPTypes
import Logging
import Postgres
import Testing

@testable import Server

@Suite("API contract, role matrix, idempotency, durability, privacy (HTTP + PostgreSQL)")
struct ContractAndAccessTests {
    /// Every operation of openapi.yaml, as "METHOD /path".
    static func contractRoutes() throws -> [String] {
        let yaml = String(decoding: try OpenAPIDocument.bytes(), as: UTF8.self)
        var routes: [String] = []
        var path: String?
        for line in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("components:") { break }
            if line.hasPrefix("  /") && line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, let method = ["get", "post", "patch", "put", "delete"].first(where: { line == "    \($0):" }) {
                routes.append("\(method.uppercased()) \(path)")
            }
        }
        return routes
    }

    @Test func everyContractRouteHasAnAccessRuleAndNoRuleIsStale() throws {
        let routes = try Self.contractRoutes()
        #expect(routes.count == 59)
        #expect(Set(routes) == Set(AccessTable.rules.keys.filter { !$0.contains(" /console") }))
    }

    @Test func servedContractIsTheSourceFile() async throws {
        try await withAPI { api in
            let served = try await api.call(.get, "/openapi.yaml")
            #expect(served.status == .ok)
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Sources/Server/openapi.yaml")
            #expect(served.body == (try Data(contentsOf: source)))
        }
    }

    @Test func revokedOrUnknownTokensAre401() async throws {
        try await withAPI { api in
            #expect(try await api.call(.get, "/api/v1/schools", token: "chorus_nope").status == .unauthorized)
            let reply = try await api.call(.get, "/api/v1/schools", headers: [.authorization: "Basic abc"])
            #expect(reply.status == .unauthorized && reply.headers[.wwwAuthenticate] == "Bearer")
            try await api.database.query("UPDATE api_tokens SET revoked_at = now() WHERE name = 'liaison'")
            #expect(try await api.call(.get, "/api/v1/schools", token: api.liaison).status == .unauthorized)
        }
    }

    @Test func fiftyConcurrentIdenticalPostsMakeOneRow() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let body = try JSONSerialization.data(
                withJSONObject: ["initiative_id": seed.initiative, "comment": "Same comment, sent fifty times"])
            let replies = try await withThrowingTaskGroup(of: APIFixture.Reply.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        try await api.call(.post, "/api/v1/feedback", raw: body, headers: [HTTPField.Name("Idempotency-Key")!: "key-1"])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == .created })
            #expect(Set(replies.map(\.body)).count == 1)
            #expect(try await api.count("feedback") == 1)
            let different = try await api.call(
                .post,
                "/api/v1/feedback",
                json: ["initiative_id": seed.initiative, "comment": "Another comment"],
                headers: [HTTPField.Name("Idempotency-Key")!: "key-1"]
            )
            #expect(different.status == .unprocessableContent && different.problemFields == ["Idempotency-Key"])
            #expect(try await api.count("feedback") == 1)
            // A failed request stores nothing, so the key can be used once it is fixed.
            let failed = try await api.call(
                .post,
                "/api/v1/feedback",
                json: ["initiative_id": 999_999, "comment": "x"],
                headers: [HTTPField.Name("Idempotency-Key")!: "key-2"]
            )
            #expect(failed.status == .unprocessableContent)
            let fixed = try await api.call(
                .post,
                "/api/v1/feedback",
                json: ["initiative_id": seed.initiative, "comment": "x"],
                headers: [HTTPField.Name("Idempotency-Key")!: "key-2"]
            )
            #expect(fixed.status == .created)
        }
    }

    @Test func everyAcknowledgedRecordIsReadableFromANewConnection() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            var acknowledged: [(table: String, id: Int64)] = [("initiatives", seed.initiative), ("schools", seed.school), ("surveys", seed.survey)]
            for index in 0..<10 {
                let feedback = try await api.call(.post, "/api/v1/feedback", json: ["initiative_id": seed.initiative, "comment": "n\(index)"])
                #expect(feedback.status == .created)
                acknowledged.append(("feedback", feedback.id))
                let response = try await api.call(
                    .post,
                    "/api/v1/surveys/\(seed.survey)/responses",
                    json: ["group": "students", "answers": [["question_id": seed.questions[0], "number": 1 + index % 5]]]
                )
                #expect(response.status == .created)
                acknowledged.append(("responses", response.id))
            }
            let fresh = PostgresClient(configuration: api.configuration, logger: .init(label: "fresh"))
            for (table, id) in acknowledged {
                let rows = try await fresh.query(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) WHERE id = \(id)"))
                #expect(rows.count == 1, "\(table) \(id)")
            }
            await fresh.close()
        }
    }
}
