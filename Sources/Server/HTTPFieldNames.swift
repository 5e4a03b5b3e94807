import HTTPTypes

/// Header names HTTPTypes does not define. Each is a literal token, so the initializer cannot
/// fail; the trap check (Deploy/check_traps) allows `!` in this file only for these.
extension HTTPField.Name {
    static let requestID = Self("X-Request-ID")!
    static let xForwardedFor = Self("X-Forwarded-For")!
    static let xForwardedProto = Self("X-Forwarded-Proto")!
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
}
