import Engagement
import Hummingbird
import HummingbirdTesting
import Postgres
import PostgresTesting
import Server
import Testing

@Suite("Health and readiness (HTTP)")
struct HealthTests {
    @Test func healthAndReadyWithADatabase() async throws {
        try await TestDatabase.withDatabase { client, _ in
            let app = try buildApplication(configuration: ServerConfiguration(), database: Store(client), logger: TestDatabase.logger)
            try await app.test(.router) { http in
                try await http.execute(uri: "/health", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == #"{"status":"ok"}"#)
                }
                try await http.execute(uri: "/ready", method: .get) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }

    @Test func notReadyWithoutADatabase() async throws {
        let client = PostgresClient(
            configuration: PostgresConfiguration(url: "postgresql:///x?host=/nonexistent", maximumConnections: 1),
            logger: TestDatabase.logger
        )
        let app = try buildApplication(configuration: ServerConfiguration(), database: Store(client), logger: TestDatabase.logger)
        try await app.test(.router) { http in
            try await http.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await http.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
        await client.close()
    }

    @Test func liveServerAnswersOverRealHTTP() async throws {
        try await TestDatabase.withDatabase { client, _ in
            let app = try buildApplication(
                configuration: ServerConfiguration(host: "127.0.0.1", port: 0),
                database: Store(client),
                logger: TestDatabase.logger
            )
            try await app.test(.live) { http in
                try await http.execute(uri: "/ready", method: .get) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }
}
