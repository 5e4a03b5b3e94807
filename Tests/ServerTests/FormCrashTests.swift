import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Issue 11: one anonymous form post (`comment=a b"<>{}|`, unencoded) ended the whole process in
/// Foundation's URLComponents. Every web route, over real HTTP, gets that body and its variants;
/// each must be answered 4xx, and the server must still answer afterwards.
@Suite("No form body crashes the server (live HTTP + PostgreSQL)")
struct FormCrashTests {
    /// The reported body, then variants: every byte 0x00–0xFF in names and in values, `%`
    /// sequences that are not escapes, over-long fields, and broken multipart framing.
    static func bodies() -> [(name: String, body: [UInt8], contentType: String)] {
        let form = "application/x-www-form-urlencoded"
        var bodies: [(String, [UInt8], String)] = [("the reported body", Array(#"comment=a b"<>{}|"#.utf8), form)]
        for start in stride(from: 0, through: 255, by: 32) {
            let bytes = (start..<start + 32).map(UInt8.init)
            bodies.append(("bytes \(start)–\(start + 31) in a value", Array("comment=".utf8) + bytes, form))
            bodies.append(("bytes \(start)–\(start + 31) in a name", bytes + Array("=x&group=families".utf8), form))
        }
        for escape in ["%", "%%", "%zz", "%4", "%E9", "%C3%28", "%00", "%ff%fe", "%u0041", "%%41", "100%", "%-1", "%+5"] {
            bodies.append(("escape \(escape)", Array("comment=\(escape)&\(escape)=\(escape)&group=\(escape)".utf8), form))
        }
        for (name, text) in [
            ("CR LF in a value", "comment=a\r\nSet-Cookie: x=y"), ("semicolons", "comment=a;group=families;x"), ("a BOM", "\u{FEFF}comment=x"),
            ("overlong UTF-8", "comment=%C0%AF%E0%80%AF"), ("a lone surrogate", "comment=%ED%A0%80"), ("only pluses", "+++=+++"),
            ("NULs", "\0\0\0=\0"), ("HTML and quotes", "comment=<script>alert('x')</script>&group=\"families\""),
        ] {
            bodies.append((name, Array(text.utf8), form))
        }
        bodies.append(("a 1 MB field", Array("comment=".utf8) + [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20), form))
        bodies.append(("ten thousand empty fields", Array(String(repeating: "&", count: 10_000).utf8), form))
        bodies.append(("ten thousand fields", Array((0..<10_000).map { "f\($0)=\($0)" }.joined(separator: "&").utf8), form))
        bodies.append(("only equals signs", Array(String(repeating: "=", count: 5_000).utf8), form))
        bodies.append(("no content type", Array("comment=a b\"<>{}|".utf8), ""))
        bodies.append(("JSON to a form", Array(#"{"comment":"a b"}"#.utf8), "application/json"))
        let part = "--b\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\na b\"<>{}|\r\n--b--\r\n"
        bodies.append(("multipart, empty boundary", Array(part.utf8), "multipart/form-data; boundary="))
        bodies.append(("multipart, no boundary", Array(part.utf8), "multipart/form-data"))
        bodies.append(("multipart, 200-character boundary", Array(part.utf8), "multipart/form-data; boundary=" + String(repeating: "b", count: 200)))
        bodies.append(
            (
                "multipart, unterminated", Array("--b\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nabc".utf8),
                "multipart/form-data; boundary=b"
            )
        )
        bodies.append(("multipart, garbage", [UInt8](repeating: 0xFF, count: 4096), "multipart/form-data; boundary=b"))
        bodies.append(
            ("multipart, headers without end", Array("--b\r\nContent-Disposition: form-data; name=\"a\"".utf8), "multipart/form-data; boundary=b")
        )
        bodies.append(
            (
                "multipart, unbalanced quotes", Array("--b\r\nContent-Disposition: form-data; name=\"a; filename=\"\r\n\r\nx\r\n--b--\r\n".utf8),
                "multipart/form-data; boundary=\"b"
            )
        )
        bodies.append(("multipart to a plain form", Array(part.utf8), "multipart/form-data; boundary=b"))
        return bodies
    }

    @Test func theReportedBodyAndItsVariantsAre4xxOnEveryWebRouteAndTheServerStaysUp() async throws {
        try await withAPI(submissionsPerClientPerMinute: 1_000_000, submissionBurst: 1_000_000, live: true) { api in
            let seed = try await api.seed()
            let event = try await api.call(
                .post,
                "/api/v1/events",
                token: api.admin,
                json: [
                    "title": "Night", "kind": "meeting", "initiative_ids": [seed.initiative], "starts_at": "2026-03-01T18:00:00Z",
                    "ends_at": "2026-03-01T20:00:00Z",
                ]
            )
            #expect(event.status == .created)
            var visitor = Visitor(api: api)
            _ = try await visitor.get("/liaison/login")
            let signedIn = try await visitor.post("/liaison/login", [("csrf", try await visitor.token()), ("token", api.liaison)])
            #expect(signedIn.status == .seeOther)
            let routes = [
                "/feedback", "/surveys/\(seed.survey)", "/surveys/987654", "/volunteer/1", "/liaison/login", "/liaison/logout",
                "/liaison/events", "/liaison/events/\(event.id)/headcount", "/liaison/events/\(event.id)/checkin",
                "/liaison/events/\(event.id)/sheet", "/liaison/events/\(event.id)/nonsense",
            ]
            let bodies = Self.bodies()
            #expect(bodies.count >= 51)
            var answered = 0
            for route in routes {
                for (name, body, contentType) in bodies {
                    var headers: HTTPFields = [:]
                    if !contentType.isEmpty { headers[.contentType] = contentType }
                    // Half the requests as the signed-in liaison with a form cookie, half as a stranger.
                    let asLiaison = answered % 2 == 0
                    if asLiaison, let cookie = visitor.cookie { headers[.cookie] = cookie }
                    let status = try await api.http.execute(uri: route, method: .post, headers: headers, body: ByteBuffer(bytes: body)).status
                    // Signing out, and a liaison page without a session, send the visitor on (303).
                    let redirected = route == "/liaison/logout" || (!asLiaison && route.hasPrefix("/liaison/events"))
                    if redirected && status.code != 413 {
                        #expect(status == .seeOther, "\(route) with \(name): \(status)")
                    } else {
                        #expect((400..<500).contains(status.code), "\(route) with \(name): \(status)")
                    }
                    answered += 1
                }
                let health = try await api.http.execute(uri: "/health", method: .get, headers: [:], body: nil)
                #expect(health.status == .ok, "the server stopped answering after \(route)")
            }
            #expect(answered == routes.count * bodies.count)
        }
    }

    @Test func hostileQueriesOnPagesAre4xxOrPages() async throws {
        try await withAPI(live: true) { api in
            for path in [
                "/?lang=%ff%fe", "/?lang=%", "/feedback?%zz=%zz", "/surveys/1?lang=es%00", "/liaison/login?lang=%3Cscript%3E",
                "/dashboard?period=%zz&from=2026-02-30", "/dashboard/initiatives/1?school_id=%ff", "/?" + String(repeating: "a=1&", count: 2_000),
            ] {
                let status = try await api.http.execute(uri: path, method: .get, headers: [:], body: nil).status
                #expect(status.code < 500, "\(path): \(status)")
            }
            let health = try await api.http.execute(uri: "/health", method: .get, headers: [:], body: nil)
            #expect(health.status == .ok)
        }
    }
}
