import Crypto
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The district's text message gateway (issue 16, build 3): one JSON POST a message to a
/// configured HTTPS endpoint (`CHORUS_SMS_URL`), signed with HMAC-SHA256 under a shared secret
/// (`CHORUS_SMS_SECRET`) so the gateway knows it came from Chorus, carrying the message's id as
/// its idempotency key so a resend after a worker died is recognised (docs/messages.md). A 2xx is
/// sent; a 4xx other than 408 and 429 is a refusal for good (the number is marked undeliverable);
/// anything else is tried again with the queue's backoff. No vendor SDK: the district's gateway
/// is whatever it contracts, and a signed webhook is what such gateways take.
public struct SMSGateway: Sendable {
    public struct Message: Sendable, Equatable, Codable {
        public var id: String
        public var to: String
        public var text: String
        public var language: String
    }

    public let url: URL
    let key: SymmetricKey
    let timeout: TimeInterval

    public init(url: String, secret: String, timeout: TimeInterval = 15) throws {
        guard let parsed = URL(string: url), ["https", "http"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
            throw DeliveryFailure.permanent("CHORUS_SMS_URL must be an http(s) address")
        }
        guard secret.utf8.count >= 16 else { throw DeliveryFailure.permanent("CHORUS_SMS_SECRET must be at least 16 characters") }
        self.url = parsed
        self.key = SymmetricKey(data: Data(secret.utf8))
        self.timeout = timeout
    }

    /// `sha256=` and the hex HMAC of the timestamp, a dot and the body: what the receiver checks.
    public static func signature(body: Data, timestamp: String, key: SymmetricKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data((timestamp + ".").utf8) + body, using: key)
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    public func send(_ message: Message) async throws {
        let body = try JSONEncoder().encode(message)
        let timestamp = String(Int(Date().timeIntervalSince1970))
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(timestamp, forHTTPHeaderField: "X-Chorus-Timestamp")
        request.setValue(Self.signature(body: body, timestamp: timestamp, key: key), forHTTPHeaderField: "X-Chorus-Signature")
        request.setValue(message.id, forHTTPHeaderField: "Idempotency-Key")
        let (_, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        switch status {
        case 200..<300: return
        case 408, 429: throw DeliveryFailure.transient("the gateway answered \(status)")
        case 400..<500: throw DeliveryFailure.permanent("the gateway refused the message (\(status))")
        default: throw DeliveryFailure.transient("the gateway answered \(status)")
        }
    }
}
