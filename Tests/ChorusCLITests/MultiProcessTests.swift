import Engagement
import Foundation
import Postgres
import PostgresTesting
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The deployment of docs/scaling.md in miniature: two `chorus serve` processes and three
/// `chorus work` processes on loopback, one database, submissions spread over both servers.
@Suite("Two servers and three workers on one database (processes + HTTP + PostgreSQL)", .serialized)
struct MultiProcessTests {
    static func start(_ arguments: [String], database: String) throws -> Process {
        try WorkerProcessTests.start(arguments, database: database, logLevel: "error")
    }

    static func request(_ method: String, _ url: String, json: Any? = nil, headers: [String: String] = [:]) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    @Test func noDoubleProcessingAndTheSameAnswersFromEitherServer() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, configuration in
            let database = configuration.database!
            try await db.query("INSERT INTO initiatives (slug, title, theme_keywords) VALUES ('tech', '{\"en\": \"Technology\"}', '{wifi,laptop}')")
            let token = try await db.withTransaction { try await Tokens().create(name: "multi", role: .admin, by: .command("test"), on: $0).1 }
            let base = 20_000 + Int.random(in: 0..<20_000)
            let servers = [base, base + 1].map { "http://127.0.0.1:\($0)" }
            var processes = try [base, base + 1].map { try Self.start(["serve", "--port", "\($0)", "--no-workers"], database: database) }
            defer { for process in processes where process.isRunning { process.terminate() } }
            for server in servers {
                var ready = false
                for _ in 0..<300 where !ready {
                    ready = (try? await Self.request("GET", server + "/ready"))?.0 == 200
                    if !ready { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(ready, "\(server) never became ready")
            }
            processes += try (0..<3).map { _ in try Self.start(["work", "--workers", "4"], database: database) }
            // 400 comments over 8 concurrent clients, alternating servers; every fifth one is sent
            // a second time to the other server with the same Idempotency-Key.
            let acknowledged = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for client in 0..<8 {
                    group.addTask {
                        var ids: [Int64] = []
                        for n in 0..<50 {
                            let key = "multi-\(client)-\(n)"
                            let body: [String: Any] = ["initiative_id": 1, "group": "families", "comment": "The wifi and the laptops \(client)-\(n)"]
                            let (status, data) = try await Self.request(
                                "POST",
                                servers[n % 2] + "/api/v1/feedback",
                                json: body,
                                headers: ["Idempotency-Key": key]
                            )
                            #expect(status == 201)
                            let id = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["id"] as? Int64 ?? -1
                            ids.append(id)
                            if n % 5 == 0 {
                                let (again, replay) = try await Self.request(
                                    "POST",
                                    servers[(n + 1) % 2] + "/api/v1/feedback",
                                    json: body,
                                    headers: ["Idempotency-Key": key]
                                )
                                #expect(again == 201)
                                #expect((try JSONSerialization.jsonObject(with: replay) as? [String: Any])?["id"] as? Int64 == id)
                            }
                        }
                        return ids
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(Set(acknowledged).count == 400)
            #expect(try await db.query("SELECT count(*) FROM feedback").first!.decode(Int.self, at: 0) == 400)
            // The three workers drain the queues: each text scored once, each job run once, every
            // marked day rolled up.
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline,
                try await db.query(
                    "SELECT count(*) + (SELECT count(*) FROM rollup_dirty_days) FROM jobs WHERE state <> 'completed'"
                ).first!.decode(Int.self, at: 0) > 0
            {
                try await Task.sleep(for: .milliseconds(100))
            }
            let jobs = try #require(
                try await db.query(
                    "SELECT count(*), max(attempt), count(DISTINCT locked_by) FROM jobs WHERE kind = 'score-text' AND state = 'completed'"
                ).first
            )
            #expect(try jobs.decode(Int.self, at: 0) == 400 && jobs.decode(Int.self, at: 1) == 1)
            #expect(try jobs.decode(Int.self, at: 2) >= 2)  // the work was shared
            let scores = try #require(try await db.query("SELECT count(*), max(times_scored) FROM text_scores").first)
            #expect(try scores.decode(Int.self, at: 0) == 400 && scores.decode(Int.self, at: 1) == 1)
            #expect(try await db.query("SELECT count(*) FROM jobs WHERE state <> 'completed'").first!.decode(Int.self, at: 0) == 0)
            // Both servers give the same scorecard, and it counts everything.
            let path = "/api/v1/scorecards/1?period=year"
            let first = try await Self.request("GET", servers[0] + path, headers: ["Authorization": "Bearer \(token)"])
            let second = try await Self.request("GET", servers[1] + path, headers: ["Authorization": "Bearer \(token)"])
            #expect(first.0 == 200 && first.1 == second.1)
            let voice = (try JSONSerialization.jsonObject(with: first.1) as? [String: Any])?["voice"] as? [String: Any]
            #expect(voice?["feedback"] as? Int == 400)
        }
    }
}
