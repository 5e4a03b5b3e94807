import Hummingbird

/// `Cookie` request headers, read by Hummingbird's cookie API as the pages read them; lines are
/// separate header fields.
extension FuzzTarget {
    static let cookies = FuzzTarget(name: "cookies") { bytes in
        let headers = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        let cookies = Cookies(from: headers)
        for name in ["chorus_form", "chorus_session", "a", ""] { _ = cookies[name]?.value }
    }
}
