import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import InputParsing
import NIOConcurrencyHelpers
import NIOCore
import Postgres

/// The request context of every route: Hummingbird's basics plus the peer address (per-IP limits).
public struct ChorusContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}

/// The pages' strings (Web/strings/LANG.json) and the language of a request: `?lang=` when
/// given, else the first of English or Spanish in `Accept-Language`, else English.
struct WebStrings: Sendable {
    static let languages = ["en", "es"]
    let table: [String: [String: String]]

    init() throws {
        var table: [String: [String: String]] = [:]
        for language in Self.languages {
            guard let url = Bundle.module.url(forResource: "Web/strings/\(language)", withExtension: "json") else {
                throw HTTPError(.internalServerError, message: "Web/strings/\(language).json is missing from the bundle")
            }
            table[language] = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        }
        self.table = table
    }

    subscript(_ language: String) -> [String: String] { table[language] ?? table["en"] ?? [:] }

    static func language(of request: Request) -> String {
        if let asked = request.uri.queryParameters["lang"].map(String.init), languages.contains(asked) { return asked }
        let accepted = (request.headers[.acceptLanguage] ?? "").split(separator: ",").compactMap { part -> (String, Double)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased().split(separator: "-").first.map(String.init) else { return nil }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (tag, q)
        }
        return accepted.filter { languages.contains($0.0) && $0.1 > 0 }.max { $0.1 < $1.1 }?.0 ?? "en"
    }
}

extension [String: String] {
    /// A page string by key: a missing one shows its key rather than stopping the page.
    subscript(text key: String) -> String { self[key] ?? key }
}

extension FormFields {
    /// A form body as a browser sends it: multipart (forms with a file) when it says so,
    /// URL-encoded otherwise. A multipart body that cannot be framed is an empty form, which
    /// every page answers with its own field errors.
    init(_ buffer: ByteBuffer, contentType: String? = nil) {
        if let contentType, contentType.lowercased().hasPrefix("multipart/") {
            self = FormFields(multipart: buffer, contentType: contentType) ?? FormFields()
        } else {
            self.init(urlEncoded: buffer.readableBytesView)
        }
    }
}

/// Forms against cross-site posting and bots. Each form page sets a random `chorus_form`
/// cookie (HttpOnly, SameSite=Strict) and carries `issued.signature` with
/// signature = HMAC(secret, cookie + issued). A POST must bring both, signed by this district's
/// secret (kept in `settings`, shared by every server), not older than two hours, with an
/// `Origin` (when sent) of this host. Bots are told apart without bothering people: a hidden
/// honeypot field that people leave empty, and forms sent back within 3 seconds of being shown.
struct FormGuard: Sendable {
    enum Verdict { case person, bot, expired, crossSite }

    static let cookie = "chorus_form"
    static let minimumFillTime: TimeInterval = 3
    static let maximumAge: TimeInterval = 2 * 3600
    let database: PostgresClient
    private let loaded = NIOLockedValueBox<SymmetricKey?>(nil)

    init(database: PostgresClient) {
        self.database = database
    }

    /// The district's form secret, made once and read once per process.
    func secret() async throws -> SymmetricKey {
        if let key = loaded.withLockedValue({ $0 }) { return key }
        var generator = SystemRandomNumberGenerator()
        let fresh = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try await database.query("INSERT INTO settings (key, value) VALUES ('form_secret', \(fresh)) ON CONFLICT (key) DO NOTHING")
        let row = try await database.query("SELECT value FROM settings WHERE key = 'form_secret'").one()
        let key = SymmetricKey(data: try row.decode(Data.self, at: 0))
        loaded.withLockedValue { $0 = key }
        return key
    }

    /// The form token for this visitor, and the cookie to set when they have none yet.
    func issue(for request: Request, now: Date = Date()) async throws -> (token: String, setCookie: String?) {
        let existing = Self.nonce(request)
        let nonce = existing ?? (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let issued = String(Int(now.timeIntervalSince1970))
        let token = issued + "." + (try await sign(nonce + "." + issued))
        return (token, existing == nil ? PageCookie.header(Self.cookie, nonce, for: request) : nil)
    }

    func check(_ request: Request, form: FormFields, now: Date = Date(), minimumFillTime: TimeInterval = Self.minimumFillTime) async throws
        -> Verdict
    {
        if let origin = request.headers[.origin], let host = request.head.authority {
            let originHost = URLComponents(string: origin)?.host.map { h in URLComponents(string: origin)?.port.map { "\(h):\($0)" } ?? h }
            if originHost != host { return .crossSite }
        }
        guard let nonce = Self.nonce(request), let token = form["csrf"] else { return .expired }
        let parts = token.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let issued = TimeInterval(parts[0]),
            Self.constantTimeEqual(try await sign(nonce + "." + parts[0]), parts[1])
        else { return .expired }
        let age = now.timeIntervalSince1970 - issued
        if age > Self.maximumAge || age < -60 { return .expired }
        if form["website"] != nil || age < minimumFillTime { return .bot }
        return .person
    }

    /// HMAC-SHA-256 of `text` with the district's secret, base64url: form tokens and sessions.
    func sign(_ text: String) async throws -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: try await secret())).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The visitor's form cookie, when it is one this server could have made (32 hex digits).
    static func nonce(_ request: Request) -> String? {
        PageCookie.value(cookie, in: request).flatMap { $0.count == 32 && $0.allSatisfy(\.isHexDigit) ? $0 : nil }
    }
}

/// The cookies of the pages: read from the request, and set with the attributes they all have
/// (the whole site, HttpOnly, SameSite=Strict, Secure behind TLS).
enum PageCookie {
    static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let kv = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if kv.count == 2, kv[0] == name { return String(kv[1]) }
            }
        }
        return nil
    }

    /// A `Set-Cookie` value; `expired` clears the cookie.
    static func header(_ name: String, _ value: String, for request: Request, expired: Bool = false) -> String {
        let secure = request.headers[.xForwardedProto] == "https" ? "; Secure" : ""
        return "\(name)=\(value); Path=/\(expired ? "; Max-Age=0" : ""); HttpOnly; SameSite=Strict\(secure)"
    }
}

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
        perClientPerMinute: Double = 10, perClientBurst: Double = 5, globalPerSecond: Double = 50,
        trustedProxies: [NetworkRange] = NetworkRange.loopback
    ) {
        self.trustedProxies = trustedProxies
        self.perClientPerMinute = perClientPerMinute
        self.perClientBurst = perClientBurst
        self.globalPerSecond = globalPerSecond
    }

    func allow(_ client: String, now: Date = Date()) -> Bool {
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
            return take("*", rate: globalPerSecond, burst: globalPerSecond) && take(client, rate: perClientPerMinute / 60, burst: perClientBurst)
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

/// Headers of every page: no script at all, no framing, no sniffing, no referrer to other sites.
struct PageHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "same-origin"
        response.headers[.xFrameOptions] = "DENY"
        return response
    }
}
