import Engagement
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Postgres
import PostgresTesting
import Server

/// An API under test: a migrated database of its own, admin and liaison tokens, and a client.
struct APIFixture: Sendable {
    let http: any TestClientProtocol
    let database: PostgresClient
    let configuration: PostgresConfiguration
    let admin: String
    let liaison: String

    struct Reply: Sendable {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let body: Data

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:] }
        var items: [[String: Any]] { (try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["items"] as? [[String: Any]] ?? [] }
        var id: Int64 { (json["id"] as? NSNumber)?.int64Value ?? -1 }
        var text: String { String(decoding: body, as: UTF8.self) }
        var isProblem: Bool { headers[.contentType] == "application/problem+json" }
        var problemFields: [String] {
            ((try? JSONSerialization.jsonObject(with: body) as? [String: Any])?["errors"] as? [[String: Any]] ?? []).compactMap {
                $0["field"] as? String
            }
        }
    }

    @discardableResult
    func call(
        _ method: HTTPRequest.Method,
        _ path: String,
        token: String? = nil,
        json: Any? = nil,
        raw: Data? = nil,
        contentType: String = "application/json",
        headers extra: [HTTPField.Name: String] = [:]
    ) async throws -> Reply {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
        } else if let raw {
            body = ByteBuffer(bytes: raw)
        }
        if body != nil && !contentType.isEmpty { headers[.contentType] = contentType }
        for (name, value) in extra { headers[name] = value }
        return try await http.execute(uri: path, method: method, headers: headers, body: body) { response in
            Reply(status: response.status, headers: response.headers, body: Data(response.body.readableBytesView))
        }
    }

    func count(_ table: String) async throws -> Int {
        try await database.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)")).first!.decode(Int.self, at: 0)
    }

    /// A goal, school, initiative and an open survey with one question of every kind.
    func seed() async throws -> Seed {
        let initiative = try await call(
            .post,
            "/api/v1/initiatives",
            token: admin,
            json: ["slug": "tech-\(UUID().uuidString.prefix(6).lowercased())", "title": "Technology", "theme_keywords": ["wifi"]]
        )
        let school = try await call(
            .post,
            "/api/v1/schools",
            token: admin,
            json: [
                "code": "S\(UUID().uuidString.prefix(6))", "name": "Lincoln Elementary", "cluster": "North", "level": "elementary",
                "enrollment": 420,
            ]
        )
        let survey = try await call(
            .post,
            "/api/v1/surveys",
            token: admin,
            json: [
                "initiative_id": initiative.id, "title_en": "Laptops", "title_es": "Portátiles", "opens_at": "2025-01-01T00:00:00Z",
                "anonymous": false,
                "questions": [
                    ["kind": "likert_5", "prompt_en": "Satisfied?", "prompt_es": "¿Satisfecho?", "required": true],
                    [
                        "kind": "choice", "prompt_en": "Device?", "prompt_es": "¿Equipo?",
                        "choices": [
                            ["value": "laptop", "label_en": "Laptop", "label_es": "Portátil"],
                            ["value": "tablet", "label_en": "Tablet", "label_es": "Tableta"],
                        ],
                    ],
                    [
                        "kind": "multi_choice", "prompt_en": "Used for?", "prompt_es": "¿Para qué?",
                        "choices": [
                            ["value": "homework", "label_en": "Homework", "label_es": "Tarea"],
                            ["value": "reading", "label_en": "Reading", "label_es": "Lectura"],
                        ],
                    ],
                    ["kind": "rating_0_10", "prompt_en": "Recommend?", "prompt_es": "¿Recomienda?"],
                    ["kind": "text", "prompt_en": "Comments", "prompt_es": "Comentarios"],
                ],
            ]
        )
        let questions = (survey.json["questions"] as? [[String: Any]] ?? []).map { ($0["id"] as! NSNumber).int64Value }
        return Seed(initiative: initiative.id, school: school.id, survey: survey.id, questions: questions)
    }

    struct Seed: Sendable {
        let initiative: Int64
        let school: Int64
        let survey: Int64
        let questions: [Int64]
    }
}

/// Runs `body` against a fresh API on a migrated database.
func withAPI(
    maximumBodyBytes: Int = 64 * 1024,
    submissionsPerClientPerMinute: Double = 10,
    submissionBurst: Double = 5,
    logger: Logger = TestDatabase.logger,
    scorecardCache: Bool = false,
    live: Bool = false,
    _ body: @Sendable (APIFixture) async throws -> Void
) async throws {
    try await TestDatabase.withDatabase(migrated: true, maximumConnections: 8) { client, configuration in
        try await withAPI(
            client: client,
            configuration: configuration,
            maximumBodyBytes: maximumBodyBytes,
            submissionsPerClientPerMinute: submissionsPerClientPerMinute,
            submissionBurst: submissionBurst,
            logger: logger,
            scorecardCache: scorecardCache,
            live: live,
            body
        )
    }
}

/// Runs `body` against an API on `client`, a migrated database (a fixture's, or one reached
/// through PgBouncer).
func withAPI(
    client: PostgresClient,
    configuration: PostgresConfiguration,
    maximumBodyBytes: Int = 64 * 1024,
    submissionsPerClientPerMinute: Double = 10,
    submissionBurst: Double = 5,
    logger: Logger = TestDatabase.logger,
    scorecardCache: Bool = false,
    live: Bool = false,
    _ body: @Sendable (APIFixture) async throws -> Void
) async throws {
    let (admin, liaison) = try await client.withTransaction { db in
        (
            try await Tokens().create(name: "admin", role: .admin, by: .command("test"), on: db).1,
            try await Tokens().create(name: "liaison", role: .liaison, by: .command("test"), on: db).1
        )
    }
    // The cache and its listener, run here: router tests do not run an application's services.
    let cache = ScorecardCache()
    let router = try buildRouter(
        configuration: ServerConfiguration(
            maximumBodyBytes: maximumBodyBytes,
            submissionsPerClientPerMinute: submissionsPerClientPerMinute,
            submissionBurst: submissionBurst
        ),
        database: Store(client),
        scorecardCache: scorecardCache ? cache : nil
    )
    let app = Application(router: router, logger: logger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        if scorecardCache {
            group.addTask { try await ChangeFeedListener(database: Store(client), scorecards: cache, principals: nil, logger: logger).run() }
        }
        try await app.test(live ? .live : .router) { http in
            try await body(APIFixture(http: http, database: client, configuration: configuration, admin: admin, liaison: liaison))
        }
        group.cancelAll()
    }
}
