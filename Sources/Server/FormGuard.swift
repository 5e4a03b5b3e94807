import Crypto
import Engagement
import Foundation
import Hummingbird
import InputParsing
import NIOConcurrencyHelpers

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
    let database: Store
    private let loaded = NIOLockedValueBox<SymmetricKey?>(nil)

    init(database: Store) {
        self.database = database
    }

    /// The district's form secret, made once and read once per process.
    func secret() async throws -> SymmetricKey {
        if let key = loaded.withLockedValue({ $0 }) { return key }
        let key = SymmetricKey(data: try await DistrictSecrets.key(DistrictSecrets.formKey, on: database))
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

    func check(
        _ request: Request,
        form: FormFields,
        now: Date = Date(),
        minimumFillTime: TimeInterval = Self.minimumFillTime
    ) async throws
        -> Verdict
    {
        if let origin = request.headers[.origin], let host = request.head.authority {
            let originHost = URLComponents(string: origin)?.host.map { h in URLComponents(string: origin)?.port.map { "\(h):\($0)" } ?? h }
            if originHost != host { return .crossSite }
        }
        guard let nonce = Self.nonce(request), let token = form["csrf"] else { return .expired }
        let parts = token.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let issued = TimeInterval(parts[0]),
            try await verify(nonce + "." + parts[0], signature: parts[1])
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

    /// Whether `signature` (base64url) is `sign(text)`, compared in constant time by swift-crypto.
    func verify(_ text: String, signature: String) async throws -> Bool {
        var base64 = signature.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard signature.count <= 64, let code = Data(base64Encoded: base64) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Data(text.utf8), using: try await secret())
    }

    /// The visitor's form cookie, when it is one this server could have made (32 hex digits).
    static func nonce(_ request: Request) -> String? {
        PageCookie.value(cookie, in: request).flatMap { $0.count == 32 && $0.allSatisfy(\.isHexDigit) ? $0 : nil }
    }
}
