import InputParsing
import Testing

@testable import Server

/// Issue 12: `X-Forwarded-For` names the client only when the peer is a trusted proxy
/// (`CHORUS_TRUSTED_PROXIES`, loopback by default); the old code believed any 172.x peer.
@Suite("Trusted proxies and the client address (pure)")
struct TrustedProxyTests {
    @Test func forwardedForIsReadOnlyFromTrustedProxies() throws {
        let loopback = NetworkRange.loopback
        #expect(SubmissionLimiter.client(peer: "172.32.0.5", forwardedFor: ["9.9.9.9"], trusted: loopback) == "172.32.0.5")
        #expect(SubmissionLimiter.client(peer: "172.17.0.2", forwardedFor: ["9.9.9.9"], trusted: loopback) == "172.17.0.2")
        #expect(SubmissionLimiter.client(peer: "203.0.113.7", forwardedFor: ["1.1.1.1"], trusted: loopback) == "203.0.113.7")
        #expect(SubmissionLimiter.client(peer: "127.0.0.1", forwardedFor: ["1.2.3.4, 127.0.0.1"], trusted: loopback) == "1.2.3.4")
        #expect(SubmissionLimiter.client(peer: "::1", forwardedFor: ["2001:db8::1"], trusted: loopback) == "2001:db8::1")
        #expect(SubmissionLimiter.client(peer: "127.0.0.1", forwardedFor: ["garbage"], trusted: loopback) == "127.0.0.1")
        #expect(SubmissionLimiter.client(peer: "127.0.0.1", forwardedFor: [], trusted: loopback) == "127.0.0.1")
        let proxies = try NetworkRange.list("10.0.0.0/8, 172.16.0.0/12").get()
        // A chain: the client, then two proxies of ours; a spoofed entry before the client is ignored.
        #expect(SubmissionLimiter.client(peer: "10.1.2.3", forwardedFor: ["6.6.6.6, 5.5.5.5, 172.20.0.9"], trusted: proxies) == "5.5.5.5")
        #expect(SubmissionLimiter.client(peer: "172.32.0.1", forwardedFor: ["5.5.5.5"], trusted: proxies) == "172.32.0.1")
    }

    @Test func limiterCountsTheForwardedClientBehindATrustedProxy() {
        let limiter = SubmissionLimiter(perClientPerMinute: 1, perClientBurst: 1, trustedProxies: NetworkRange.loopback)
        #expect(limiter.allow(SubmissionLimiter.client(peer: "127.0.0.1", forwardedFor: ["1.2.3.4"], trusted: limiter.trustedProxies)))
        #expect(!limiter.allow(SubmissionLimiter.client(peer: "127.0.0.1", forwardedFor: ["1.2.3.4"], trusted: limiter.trustedProxies)))
        #expect(limiter.allow(SubmissionLimiter.client(peer: "127.0.0.1", forwardedFor: ["1.2.3.5"], trusted: limiter.trustedProxies)))
    }
}
