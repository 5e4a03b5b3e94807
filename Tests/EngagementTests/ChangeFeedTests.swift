import Engagement
import Postgres
import PostgresTesting
import Testing

/// The scorecard change feed is sent by SQL triggers (any writer retires cached scorecards) and
/// heard by Swift: both sides name one channel.
@Suite("Scorecard change feed (integration)")
struct ChangeFeedTests {
    // A guard against a listener that never hears, not a speed target: the limit also covers
    // cloning the migrated template, which waits its turn on a loaded CI machine (83 s once).
    @Test(.timeLimit(.minutes(5))) func theTriggersSendTheChannelTheServersListenTo() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let source = try await db.query("SELECT prosrc FROM pg_proc WHERE proname = 'notify_scorecards'").one().decode(String.self, at: 0)
            #expect(source.contains("pg_notify('\(ChangeFeed.channel)'"), "\(source)")
            // And a change through a trigger arrives at a Store's listener.
            let heard = AsyncStream<String>.makeStream()
            let ready = AsyncStream<Void>.makeStream()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await Store(db).listenForChanges(onReady: { ready.continuation.yield() }) { heard.continuation.yield($0) }
                }
                var readiness = ready.stream.makeAsyncIterator()
                _ = await readiness.next()
                try await db.query("INSERT INTO schools (code, name, cluster, level, enrollment) VALUES ('A', 'A', 'North', 'high', 1)")
                var changes = heard.stream.makeAsyncIterator()
                // A new school changes scorecards and the reach of a cluster's liaisons: both are sent.
                let payloads = Set([await changes.next(), await changes.next()].compactMap { $0 })
                #expect(payloads == ["scorecards", ChangeFeed.access], "\(payloads)")
                group.cancelAll()
            }
        }
    }
}
