import Foundation
import NIOConcurrencyHelpers
import Postgres
import PostgresTesting
import Testing

@Suite("Postgres pool, transactions and errors (integration)")
struct PoolAndErrorTests {
    @Test func rolledBackTransactionLeavesNothing() async throws {
        try await TestDatabase.withDatabase { client, _ in
            try await client.query("CREATE TABLE notes (body text NOT NULL)")
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await client.withTransaction { tx in
                    try await tx.query("INSERT INTO notes VALUES (\("first"))")
                    try await tx.query("INSERT INTO notes VALUES (\("second"))")
                    throw Boom()
                }
            }
            #expect(try await client.query("SELECT count(*) FROM notes").first?.decode(Int.self, at: 0) == 0)
            try await client.withTransaction { tx in
                try await tx.query("INSERT INTO notes VALUES (\("kept"))")
            }
            #expect(try await client.query("SELECT count(*) FROM notes").first?.decode(Int.self, at: 0) == 1)
        }
    }

    @Test func fiftyConcurrentQueriesThroughAPoolOfFour() async throws {
        try await TestDatabase.withDatabase(maximumConnections: 4) { client, _ in
            let results = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await client.query("SELECT \(index)::bigint FROM pg_sleep(0.01)").first!
                            .decode(Int.self, at: 0)
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(results.sorted() == Array(0..<50))
            let stats = client.statistics
            #expect(stats.open <= 4)
            #expect(stats.waiting == 0)
        }
    }

    @Test func terminatedConnectionIsReplaced() async throws {
        try await TestDatabase.withDatabase(maximumConnections: 1) { client, configuration in
            let pid = try #require(try await client.query("SELECT pg_backend_pid()").first).decode(Int.self, at: 0)
            let killer = PostgresClient(configuration: configuration, logger: TestDatabase.logger)
            try await killer.query("SELECT pg_terminate_backend(\(pid)::int)")
            // Wait until the backend is really gone (up to 10 s on a busy machine), then a moment
            // more: its status entry is cleared just before its socket closes.
            for _ in 0..<500 {
                let alive = try await killer.query("SELECT 1 FROM pg_stat_activity WHERE pid = \(pid)")
                if alive.isEmpty { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(300))
            await killer.close()
            let newPID = try #require(try await client.query("SELECT pg_backend_pid()").first).decode(Int.self, at: 0)
            #expect(newPID != pid)
        }
    }

    @Test func acquireTimeoutIsATypedError() async throws {
        let configuration = PostgresConfiguration(
            url: try TestDatabase.serverURL,
            maximumConnections: 1,
            acquireTimeout: .milliseconds(200)
        )
        let client = PostgresClient(configuration: configuration, logger: TestDatabase.logger)
        let holding = NIOLockedValueBox(false)
        async let holder: Void = client.withConnection { connection in
            holding.withLockedValue { $0 = true }
            try await connection.query("SELECT pg_sleep(3)")
        }
        // Only once the one connection is really held (a busy machine may start the holder late).
        while !holding.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
        let error = try await #require(throws: PostgresError.self) { try await client.query("SELECT 1") }
        // Timing is not asserted (no timed unit tests): had the acquire waited for the holder, it
        // would have got the connection instead of this error.
        #expect(error.code == .acquireTimeout)
        try await holder
        // The pool recovers once the connection is back.
        #expect(try await client.query("SELECT 1").count == 1)
        await client.close()
    }

    @Test func constraintViolationsAreRecognisableAndDoNotLeakValues() async throws {
        try await TestDatabase.withDatabase { client, _ in
            try await client.query(
                """
                CREATE TABLE parent (id int PRIMARY KEY);
                """
            )
            try await client.query(
                "CREATE TABLE contacts (email text UNIQUE, parent_id int REFERENCES parent (id), age int CHECK (age >= 0))"
            )
            let secret = "maria.lopez@example.org"
            try await client.query("INSERT INTO contacts (email) VALUES (\(secret))")
            let unique = try await #require(throws: PostgresError.self) {
                try await client.query("INSERT INTO contacts (email) VALUES (\(secret))")
            }
            #expect(unique.isUniqueViolation)
            #expect(unique.constraint == "contacts_email_key")
            #expect(!unique.description.contains(secret))
            #expect(!"\(unique)".contains(secret))
            #expect(unique.debugDescription.contains("duplicate key"))

            let foreignKey = try await #require(throws: PostgresError.self) {
                try await client.query("INSERT INTO contacts (parent_id) VALUES (\(42))")
            }
            #expect(foreignKey.isForeignKeyViolation)
            let check = try await #require(throws: PostgresError.self) {
                try await client.query("INSERT INTO contacts (age) VALUES (\(-1))")
            }
            #expect(check.isCheckViolation)
            let syntax = try await #require(throws: PostgresError.self) {
                try await client.query("SELECT \("not a number")::int")
            }
            #expect(syntax.sqlState == "22P02")
            #expect(!syntax.description.contains("not a number"))
        }
    }

    @Test func connectionFailureIsRecognisable() async throws {
        let configuration = PostgresConfiguration(
            url: "postgresql:///nowhere?host=/nonexistent-socket-dir",
            maximumConnections: 1
        )
        let client = PostgresClient(configuration: configuration, logger: TestDatabase.logger)
        let error = try await #require(throws: PostgresError.self) { try await client.query("SELECT 1") }
        #expect(error.isConnectionFailure)
        await client.close()
    }

    @Test func listenReceivesNotificationsSentAfterCommit() async throws {
        try await TestDatabase.withDatabase { client, _ in
            let (stream, continuation) = AsyncStream<PostgresNotification>.makeStream()
            let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
            let received = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await client.listen(
                        on: ["jobs"],
                        onReady: { readyContinuation.yield() },
                        onNotification: { continuation.yield($0) }
                    )
                }
                for await _ in ready { break }
                try await client.withTransaction { tx in
                    try await tx.query("SELECT pg_notify(\("jobs"), \("payload-1"))")
                    // Held back until COMMIT:
                    try await Task.sleep(for: .milliseconds(100))
                }
                var iterator = stream.makeAsyncIterator()
                let first = await iterator.next()
                group.cancelAll()
                return first
            }
            #expect(received?.channel == "jobs")
            #expect(received?.payload == "payload-1")
        }
    }
}
