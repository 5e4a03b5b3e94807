import Crypto
import Foundation
import Postgres

/// The signed part of a link in a message: `ID-MAC`, where MAC is an HMAC of the kind and the id
/// under the district's link key. A sign-up or a message id, never a person's details, so the
/// link says nothing about who got it; without the key nobody can make one for another id.
public struct LinkTokens: Sendable {
    public enum Kind: String, Sendable {
        case cancelSignup = "cancel"
        case unsubscribe
        /// An event's self check-in, printed as the poster's QR code.
        case checkIn = "checkin"
        /// A survey invitation's own link.
        case surveyInvitation = "invite"
        /// A volunteer's report of their hours after the shift.
        case reportHours = "hours"
    }

    let key: SymmetricKey

    public init(key: Data) {
        self.key = SymmetricKey(data: key)
    }

    public static func load(on db: PostgresConnection) async throws -> LinkTokens {
        LinkTokens(key: try await DistrictSecrets.key(DistrictSecrets.linkKey, on: db))
    }

    public func token(_ kind: Kind, _ id: Int64) -> String {
        "\(id)-\(mac(kind, id))"
    }

    /// The id a token was made for, or nil for anything else.
    public func id(_ kind: Kind, from token: String) -> Int64? {
        let parts = token.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0].count <= 19, let id = Int64(parts[0]), id > 0 else { return nil }
        let expected = Data(mac(kind, id).utf8)
        let given = Data(parts[1].utf8)
        // Compared in constant time.
        guard expected.count == given.count else { return nil }
        return zip(expected, given).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0 ? id : nil
    }

    func mac(_ kind: Kind, _ id: Int64) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(kind.rawValue):\(id)".utf8), using: key)
        return Data(code).prefix(16).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
