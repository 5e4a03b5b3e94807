import Foundation
import HummingbirdOTP

/// The optional second factor: TOTP (RFC 6238, 6 digits, 30 s) from HummingbirdOTP, as every
/// authenticator app reads it. A code of the step before or after is accepted too (clock drift).
public enum TwoFactor {
    /// A new secret: 20 random letters and digits (HummingbirdOTP keys HMAC with its bytes).
    public static func newSecret() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// The `otpauth://` address an app scans or is given.
    public static func address(secret: String, account: String, issuer: String) -> String {
        TOTP(secret: secret).createAuthenticatorURL(label: "\(issuer):\(account)", issuer: issuer)
    }

    public static func code(secret: String, at date: Date = Date()) -> String {
        String(format: "%06d", TOTP(secret: secret).compute(date: date))
    }

    public static func verify(_ code: String, secret: String, at date: Date = Date()) -> Bool {
        let typed = code.filter { !$0.isWhitespace }
        guard typed.count == 6, typed.allSatisfy(\.isASCII), typed.allSatisfy(\.isNumber) else { return false }
        return [-30.0, 0, 30].contains { self.code(secret: secret, at: date.addingTimeInterval($0)) == typed }
    }
}
