import Foundation
import Hummingbird
import InputParsing
import NIOConcurrencyHelpers

/// Submissions per client address (10 a minute, bursts of 5) and for the whole server (50 a
/// second): token buckets in this server's memory. Behind a trusted proxy, the client is the
/// address the proxy saw (`client(peer:forwardedFor:trusted:)`).
final class SubmissionLimiter: Sendable {
    struct Bucket {
        var tokens: Double
        var updated: Date
    }

    let perClientPerMinute: Double
    let perClientBurst: Double
    let globalPerSecond: Double
    let trustedProxies: [NetworkRange]
    private let buckets = NIOLockedValueBox([String: Bucket]())

    init(
        perClientPerMinute: Double = 10,
        perClientBurst: Double = 5,
        globalPerSecond: Double = 50,
        trustedProxies: [NetworkRange] = NetworkRange.loopback
    ) {
        self.trustedProxies = trustedProxies
        self.perClientPerMinute = perClientPerMinute
        self.perClientBurst = perClientBurst
        self.globalPerSecond = globalPerSecond
    }

    /// Whether `client` may submit now: `perMinute` and `burst` override the client's limits for
    /// a form many people send from one address (a school's Wi-Fi at an event's door).
    func allow(_ client: String, perMinute: Double? = nil, burst: Double? = nil, now: Date = Date()) -> Bool {
        buckets.withLockedValue { buckets in
            if buckets.count > 100_000 { buckets.removeAll() }  // bounded memory under a flood
            func take(_ key: String, rate: Double, burst: Double) -> Bool {
                var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
                bucket.tokens = min(burst, bucket.tokens + now.timeIntervalSince(bucket.updated) * rate)
                bucket.updated = now
                let allowed = bucket.tokens >= 1
                if allowed { bucket.tokens -= 1 }
                buckets[key] = bucket
                return allowed
            }
            return take("*", rate: globalPerSecond, burst: globalPerSecond)
                && take(client, rate: (perMinute ?? perClientPerMinute) / 60, burst: burst ?? perClientBurst)
        }
    }

    /// The client a submission counts against: the peer, unless the peer is a trusted proxy
    /// (`CHORUS_TRUSTED_PROXIES`, loopback by default); then the last `X-Forwarded-For` entry
    /// that is not itself a trusted proxy (each proxy appends the address it saw).
    func client(of request: Request, context: some RemoteAddressRequestContext) -> String {
        Self.client(peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: .xForwardedFor], trusted: trustedProxies)
    }

    static func client(peer: String?, forwardedFor: [String], trusted: [NetworkRange]) -> String {
        guard let peer else { return "unknown" }
        guard trusted.contains(where: { $0.contains(peer) }) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() where !trusted.contains(where: { $0.contains(hop) }) {
            return NetworkRange(hop) != nil ? hop : peer
        }
        return hops.first.flatMap { NetworkRange($0) != nil ? $0 : nil } ?? peer
    }
}
