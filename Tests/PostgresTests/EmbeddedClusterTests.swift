import Foundation
import Postgres
import PostgresTesting
import Testing

@Suite("Embedded PostgreSQL cluster (integration)")
struct EmbeddedClusterTests {
    /// A short path under /tmp: the socket path must stay under 108 bytes, and the postgres user
    /// must be able to reach it when the tests run as root.
    func scratchDirectory() throws -> URL {
        let directory = URL(fileURLWithPath: "/tmp/chorus-ec-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func createsStartsReusesAndStops() async throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let cluster = EmbeddedCluster(dataDirectory: root.appendingPathComponent("pg"), logger: TestDatabase.logger)
        #expect(try cluster.start() == true)
        // A second start finds it running and leaves it to its owner.
        #expect(try cluster.start() == false)
        let client = PostgresClient(
            configuration: PostgresConfiguration(url: cluster.url(database: "postgres"), maximumConnections: 1),
            logger: TestDatabase.logger
        )
        try await client.query("CREATE TABLE kept (v text)")
        try await client.query("INSERT INTO kept VALUES (\("still here"))")
        await client.close()
        try cluster.stop()

        // Restarting reuses the data.
        #expect(try cluster.start() == true)
        let again = PostgresClient(
            configuration: PostgresConfiguration(url: cluster.url(database: "postgres"), maximumConnections: 1),
            logger: TestDatabase.logger
        )
        #expect(try await again.query("SELECT v FROM kept").first?.decode(String.self, at: 0) == "still here")
        await again.close()
        try cluster.stop()
    }

    @Test func halfMadeDirectoryGetsAClearMessage() throws {
        let root = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.appendingPathComponent("pg")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try "junk".write(to: data.appendingPathComponent("something"), atomically: true, encoding: .utf8)
        let error = try #require(throws: EmbeddedClusterError.self) {
            try EmbeddedCluster(dataDirectory: data, logger: TestDatabase.logger).start()
        }
        #expect(error.description.contains("half-made"))
    }

    @Test func overlongPathIsRefusedClearly() throws {
        let long = URL(fileURLWithPath: "/tmp/" + String(repeating: "x", count: 120))
        let error = try #require(throws: EmbeddedClusterError.self) {
            try EmbeddedCluster(dataDirectory: long, logger: TestDatabase.logger).start()
        }
        #expect(error.description.contains("too long"))
    }
}
