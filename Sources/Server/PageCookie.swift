import Hummingbird

/// The cookies of the pages: read from the request (Hummingbird's cookie parser), and set with the attributes they all have
/// (the whole site, HttpOnly, SameSite=Strict, Secure behind TLS).
enum PageCookie {
    static func value(_ name: String, in request: Request) -> String? {
        request.cookies[name]?.value
    }

    /// A `Set-Cookie` value; `expired` clears the cookie.
    static func header(_ name: String, _ value: String, for request: Request, expired: Bool = false, maxAge: Int? = nil) -> String {
        let secure = request.headers[.xForwardedProto] == "https" ? "; Secure" : ""
        let age = expired ? "; Max-Age=0" : maxAge.map { "; Max-Age=\($0)" } ?? ""
        return "\(name)=\(value); Path=/\(age); HttpOnly; SameSite=Strict\(secure)"
    }
}
