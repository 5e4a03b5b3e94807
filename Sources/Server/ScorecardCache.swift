import Foundation
import Logging
import NIOConcurrencyHelpers
import Postgres
import ServiceLifecycle

/// Scorecard JSON kept in memory between changes. Every change to what rollup scorecards are
/// computed from sends NOTIFY `chorus_changes` (Schema/0006); the listener below bumps the
/// generation, which retires every entry. While the listener is not connected nothing is served
/// from memory (a missed notification must not leave a stale answer), and a reconnect retires
/// everything. Only rollup scorecards on the primary are cached: a replica may apply a change
/// after its notification arrived.
public final class ScorecardCache: Sendable {
    struct Entry: Sendable {
        let generation: Int
        let body: Data
        let etag: String
    }

    struct State {
        var listening = false
        var generation = 0
        var entries: [String: Entry] = [:]
    }

    static let capacity = 2_000
    private let state = NIOLockedValueBox(State())

    public init() {}

    var statistics: (listening: Bool, entries: Int) {
        state.withLockedValue { ($0.listening, $0.entries.count) }
    }

    /// The generation to compute under, or nil when answers may not be kept.
    var currentGeneration: Int? {
        state.withLockedValue { $0.listening ? $0.generation : nil }
    }

    func entry(_ key: String) -> Entry? {
        state.withLockedValue { state in
            guard state.listening, let entry = state.entries[key], entry.generation == state.generation else { return nil }
            return entry
        }
    }

    /// Keeps an answer computed under `generation`, unless something changed meanwhile.
    func store(_ key: String, _ entry: Entry) {
        state.withLockedValue { state in
            guard state.listening, entry.generation == state.generation else { return }
            if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = entry
        }
    }

    func invalidate() {
        state.withLockedValue {
            $0.generation += 1
            $0.entries.removeAll(keepingCapacity: true)
        }
    }

    func listening(_ on: Bool) {
        state.withLockedValue {
            $0.listening = on
            $0.generation += 1
            $0.entries.removeAll(keepingCapacity: true)
        }
    }
}

/// Keeps the cache's LISTEN connection up, reconnecting after PostgreSQL restarts.
public struct ScorecardCacheListener: Service {
    let database: PostgresClient
    let cache: ScorecardCache
    let logger: Logger

    public init(database: PostgresClient, cache: ScorecardCache, logger: Logger) {
        self.database = database
        self.cache = cache
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await database.listen(on: ["chorus_changes"], onReady: { cache.listening(true) }) { _ in cache.invalidate() }
                } catch {
                    cache.listening(false)
                    if !Task.isCancelled { logger.debug("scorecard cache listener reconnecting", metadata: ["error": "\(error)"]) }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        cache.listening(false)
    }
}
