import Engagement
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// Scorecard JSON kept in memory between changes. Every change to what rollup scorecards are
/// computed from sends a notification on `ChangeFeed.channel` (Schema/0006); the listener below bumps the
/// generation, which retires every entry. While the listener is not connected nothing is served
/// from memory (a missed notification must not leave a stale answer), and a reconnect retires
/// everything. Only rollup scorecards on the primary are cached: a replica may apply a change
/// after its notification arrived.
public final class ScorecardCache: Sendable {
    struct Entry: Sendable {
        let generation: Int
        let body: Data
        let etag: String
        let contentType: String
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
    let database: Store
    let cache: ScorecardCache
    let logger: Logger

    public init(database: Store, cache: ScorecardCache, logger: Logger) {
        self.database = database
        self.cache = cache
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await database.listenForScorecardChanges(onReady: { cache.listening(true) }) { cache.invalidate() }
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

/// Serves kept scorecards before any handler runs: a hit is the bytes, `ETag` and content type
/// the handler answered with last time (or 304), with no database work beyond authentication.
/// A miss runs the handler, which says whether the answer may be kept (rollup scorecards only),
/// and keeps what it answered. Keys are the request's path and query on today's UTC date (so a
/// named period like "this school year" rolls over at midnight).
struct ScorecardCacheMiddleware<Context: RequestContext>: RouterMiddleware {
    let cache: ScorecardCache?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let cache, request.method == .get, request.uri.path.hasPrefix("/api/v1/scorecards") else {
            return try await next(request, context)
        }
        // Named periods turn over at the district's local midnight: a quarter-hour in the key
        // serves every zone offset (there are :30 and :45 ones) without reading the zone here.
        let key = String(Int(Date().timeIntervalSince1970 / 900)) + " " + request.uri.description
        if let entry = cache.entry(key) {
            var headers = HTTPFields()
            headers[.eTag] = entry.etag
            if request.headers[.ifNoneMatch] == entry.etag { return Response(status: .notModified, headers: headers) }
            headers[.contentType] = entry.contentType
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: entry.body)))
        }
        let generation = cache.currentGeneration
        let mark = CacheMark()
        var response = try await CacheMark.$current.withValue(mark) { try await next(request, context) }
        guard let generation, mark.isCacheable, response.status == .ok, let etag = response.headers[.eTag] else {
            return response
        }
        let collector = Collector()
        try await response.body.write(collector)
        let bytes = collector.buffer.withLockedValue { Data($0.readableBytesView) }
        cache.store(
            key,
            .init(generation: generation, body: bytes, etag: etag, contentType: response.headers[.contentType] ?? "application/json")
        )
        response.body = .init(byteBuffer: ByteBuffer(bytes: bytes))
        return response
    }

    final class Collector: ResponseBodyWriter, Sendable {
        let buffer = NIOLockedValueBox(ByteBuffer())
        func write(_ part: ByteBuffer) async throws {
            var part = part
            _ = buffer.withLockedValue { $0.writeBuffer(&part) }
        }
        func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}

/// Set by the scorecard handlers when their answer depends only on what notifies the cache.
final class CacheMark: Sendable {
    @TaskLocal static var current: CacheMark?
    private let cacheable = NIOLockedValueBox(false)

    var isCacheable: Bool { cacheable.withLockedValue { $0 } }
    func markCacheable() { cacheable.withLockedValue { $0 = true } }
}
