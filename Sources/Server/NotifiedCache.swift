import Crypto
import Engagement
import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Answers kept in memory between changes, retired by the change feed: every change to what
/// they are computed from sends a notification on `ChangeFeed.channel` (Schema/0006, 0026);
/// `ChangeFeedListener` bumps the generation, which retires every entry. While the listener is
/// not connected nothing is kept (a missed notification must not leave a stale answer), and a
/// reconnect retires everything. An entry computed under an older generation is never stored.
public final class NotifiedCache<Value: Sendable>: Sendable {
    struct Entry {
        let generation: Int
        let value: Value
        let expires: ContinuousClock.Instant?
    }

    struct State {
        var listening = false
        var generation = 0
        var entries: [String: Entry] = [:]
    }

    let capacity: Int
    /// How long an entry may be served at most, changes or not (nil: until a change).
    let lifetime: Duration?
    private let state = NIOLockedValueBox(State())

    public init(capacity: Int = 2_000, lifetime: Duration? = nil) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    var statistics: (listening: Bool, entries: Int) {
        state.withLockedValue { ($0.listening, $0.entries.count) }
    }

    /// The generation to compute under, or nil when answers may not be kept.
    var currentGeneration: Int? {
        state.withLockedValue { $0.listening ? $0.generation : nil }
    }

    func value(_ key: String) -> Value? {
        state.withLockedValue { state in
            guard state.listening, let entry = state.entries[key], entry.generation == state.generation else { return nil }
            if let expires = entry.expires, expires < .now { return nil }
            return entry.value
        }
    }

    /// Keeps an answer computed under `generation`, unless something changed meanwhile.
    func store(_ key: String, _ value: Value, generation: Int) {
        let expires = lifetime.map { ContinuousClock.now + $0 }
        state.withLockedValue { state in
            guard state.listening, generation == state.generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[key] = Entry(generation: generation, value: value, expires: expires)
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

/// Kept scorecard answers: the bytes, `ETag` and content type (ScorecardCacheMiddleware).
public typealias ScorecardCache = NotifiedCache<ScorecardAnswer>
/// Kept principals of bearer tokens, by the token's SHA-256 (AuthenticationMiddleware): a
/// minute at most, so the token's once-a-minute "last used" mark still happens.
public typealias PrincipalCache = NotifiedCache<Principal>

extension PrincipalCache {
    public static func forTokens() -> PrincipalCache { PrincipalCache(capacity: 10_000, lifetime: .seconds(60)) }

    /// The key of a secret: its SHA-256, so the memory holds no usable secret.
    static func key(_ secret: String) -> String { Data(SHA256.hash(data: Data(secret.utf8))).base64EncodedString() }
}

/// Keeps the change feed's LISTEN connection up, reconnecting after PostgreSQL restarts, and
/// retires the caches a notification concerns: `access` the principals, anything else the
/// scorecards.
public struct ChangeFeedListener: Service {
    let database: Store
    let scorecards: ScorecardCache?
    let principals: PrincipalCache?
    let logger: Logger

    public init(database: Store, scorecards: ScorecardCache?, principals: PrincipalCache?, logger: Logger) {
        self.database = database
        self.scorecards = scorecards
        self.principals = principals
        self.logger = logger
    }

    private func listening(_ on: Bool) {
        scorecards?.listening(on)
        principals?.listening(on)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await database.listenForChanges(onReady: { listening(true) }) { payload in
                        if payload == ChangeFeed.access { principals?.invalidate() } else { scorecards?.invalidate() }
                    }
                } catch {
                    listening(false)
                    if !Task.isCancelled { logger.debug("change feed listener reconnecting", metadata: ["error": "\(error)"]) }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
        listening(false)
    }
}
