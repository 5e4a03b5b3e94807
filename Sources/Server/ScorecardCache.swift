import Engagement
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// A scorecard answer as the handler gave it: kept in a `ScorecardCache` between changes. Only
/// rollup scorecards on the primary are kept: a replica may apply a change after its
/// notification arrived.
public struct ScorecardAnswer: Sendable {
    let body: Data
    let etag: String
    let contentType: String
}

/// Serves kept scorecards before any handler runs: a hit is the bytes, `ETag` and content type
/// the handler answered with last time (or 304), with no database work beyond authentication.
/// A miss runs the handler, which hands over the JSON it computed (the very bytes the CLI
/// prints: the generated types' encoder would escape `/` and order differently) and says
/// whether the answer may be kept (rollup scorecards only). Keys are the request's path and
/// query on today's UTC date (so a named period like "this school year" rolls over at midnight).
struct ScorecardCacheMiddleware<Context: RequestContext>: RouterMiddleware {
    let cache: ScorecardCache?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get, request.uri.path.hasPrefix("/api/v1/scorecards") else {
            return try await next(request, context)
        }
        // Named periods turn over at the district's local midnight: a quarter-hour in the key
        // serves every zone offset (there are :30 and :45 ones) without reading the zone here.
        let key = String(Int(Date().timeIntervalSince1970 / 900)) + " " + request.uri.description
        if let entry = cache?.value(key) {
            var headers = HTTPFields()
            headers[.eTag] = entry.etag
            if request.headers[.ifNoneMatch] == entry.etag { return Response(status: .notModified, headers: headers) }
            headers[.contentType] = entry.contentType
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: entry.body)))
        }
        let generation = cache?.currentGeneration
        let mark = CacheMark()
        var response = try await CacheMark.$current.withValue(mark) { try await next(request, context) }
        guard response.status == .ok, let bytes = mark.body else { return response }
        response.body = .init(byteBuffer: ByteBuffer(bytes: bytes))
        response.headers[.contentLength] = String(bytes.count)
        if let cache, let generation, mark.isCacheable, let etag = response.headers[.eTag] {
            cache.store(
                key,
                .init(body: bytes, etag: etag, contentType: response.headers[.contentType] ?? "application/json"),
                generation: generation
            )
        }
        return response
    }
}

/// Set by the scorecard handlers: the JSON they computed, and whether it depends only on what
/// notifies the cache.
final class CacheMark: Sendable {
    @TaskLocal static var current: CacheMark?
    private let state = NIOLockedValueBox((cacheable: false, body: Data?.none))

    var isCacheable: Bool { state.withLockedValue { $0.cacheable } }
    var body: Data? { state.withLockedValue { $0.body } }
    func markCacheable() { state.withLockedValue { $0.cacheable = true } }
    func answer(_ body: Data) { state.withLockedValue { $0.body = body } }
}
