import Engagement
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import PostgresTesting
import Testing

@testable import Server

/// Issue 18, A2: results and scorecards read from a real streaming replica (`pg_basebackup -R`)
/// while it keeps up; when it lags more than the bound (replay paused) they are read on the
/// primary, and when it goes away (stopped) too — never an error (docs/scaling.md).
@Suite("Reads on a real streaming replica that lags and goes away (two PostgreSQL clusters)", .serialized)
struct ReplicaTests {
    @Test func readsFollowTheReplicaWhileFreshAndThePrimaryOtherwise() async throws {
        let scratch = URL(fileURLWithPath: "/tmp/chorus-rep-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        chmod(scratch.path, 0o777)
        var clusters: [EmbeddedCluster] = []
        defer { EmbeddedCluster.stopInBackground(clusters, thenRemove: scratch) }
        let primary = EmbeddedCluster(dataDirectory: scratch.appendingPathComponent("primary"), logger: TestDatabase.logger)
        try await primary.startOffThePool()
        clusters.append(primary)
        let admin = PostgresClient(configuration: .init(url: primary.url(database: "postgres"), maximumConnections: 1), logger: TestDatabase.logger)
        try await admin.query("CREATE DATABASE chorus")
        await admin.close()
        let primaryClient = PostgresClient(configuration: .init(url: primary.url(), maximumConnections: 4), logger: TestDatabase.logger)
        _ = try await Migrator(directory: try #require(Migrator.locateSchemaDirectory())).apply(on: primaryClient, logger: TestDatabase.logger)

        let standby = try await Standby.make(from: primary, in: scratch.appendingPathComponent("standby"))
        clusters.append(standby)
        let replicaClient = PostgresClient(configuration: .init(url: standby.url(), maximumConnections: 2), logger: TestDatabase.logger)
        #expect(try await replicaClient.query("SELECT pg_is_in_recovery()").one().decode(Bool.self, at: 0))

        let token = try await primaryClient.withTransaction { try await Tokens().create(name: "admin", role: .admin, by: .command("test"), on: $0).1 }
        let app = Application(
            router: try buildRouter(
                configuration: ServerConfiguration(maximumReplicaLag: 2),
                database: Store(primaryClient),
                readDatabase: Store(replicaClient)
            ),
            logger: TestDatabase.logger
        )
        try await app.test(.router) { http in
            func call(_ method: HTTPRequest.Method, _ path: String, _ json: Any? = nil) async throws -> [String: Any] {
                var headers = HTTPFields()
                headers[.authorization] = "Bearer \(token)"
                var body: ByteBuffer?
                if let json {
                    headers[.contentType] = "application/json"
                    body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
                }
                return try await http.execute(uri: "/api/v1" + path, method: method, headers: headers, body: body) { response in
                    #expect(response.status.code < 300, "\(method) \(path): \(String(buffer: response.body))")
                    return (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]) ?? [:]
                }
            }
            let initiative = try await call(.post, "/initiatives", ["slug": "wifi", "title": "Wifi"])["id"] as! NSNumber
            let survey = try await call(
                .post,
                "/surveys",
                [
                    "initiative_id": initiative, "title": "Wifi", "opens_at": "2026-01-05T08:00:00Z",
                    "questions": [["kind": "likert_5", "prompt": "How is the wifi?"]],
                ]
            )
            let surveyID = (survey["id"] as! NSNumber).int64Value
            let question = ((survey["questions"] as! [[String: Any]])[0]["id"] as! NSNumber)
            func respond(_ count: Int) async throws {
                for n in 0..<count {
                    _ = try await call(
                        .post,
                        "/surveys/\(surveyID)/responses",
                        ["group": "families", "answers": [["question_id": question, "number": 1 + n % 5]]]
                    )
                }
            }
            func responses() async throws -> Int {
                let results = try await call(.get, "/surveys/\(surveyID)/results?from=2026-01-01T00:00:00Z&to=2028-01-01T00:00:00Z")
                return (results["responses"] as? NSNumber)?.intValue ?? -1
            }
            func replicaHas(_ count: Int) async throws -> Bool {
                try await waitUntil(.seconds(30)) {
                    try await replicaClient.query("SELECT count(*)::int FROM responses").one().decode(Int.self, at: 0) == count
                }
            }
            try await respond(12)
            #expect(try await replicaHas(12))
            #expect(try await responses() == 12)

            // Replay paused: at first the replica is within the bound and answers (12); once it
            // is more than 2 s behind, the primary answers (17).
            try await replicaClient.query("SELECT pg_wal_replay_pause()")
            try await respond(5)
            try await Task.sleep(for: .seconds(3))
            #expect(try await replicaClient.query("SELECT count(*)::int FROM responses").one().decode(Int.self, at: 0) == 12)
            #expect(try await responses() == 17, "a replica 3 s behind is not read")
            try await replicaClient.query("SELECT pg_wal_replay_resume()")
            #expect(try await replicaHas(17))
            #expect(try await responses() == 17)

            // The replica goes away: the primary answers, no error.
            try await standby.stopOffThePool()
            try await respond(1)
            #expect(try await responses() == 18)
        }
        await replicaClient.close()
        await primaryClient.close()
    }
}
