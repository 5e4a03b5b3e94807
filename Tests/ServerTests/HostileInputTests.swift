import Foundation
import HTTPTypes
import Postgres
import Testing

/// Malicious or malformed requests: each is answered 4xx with problem+json and changes nothing.
@Suite("Hostile input catalogue (HTTP + PostgreSQL)")
struct HostileInputTests {
    struct Attack: Sendable {
        var name: String
        var method: HTTPRequest.Method = .post
        var path: String
        var body: Data?
        var contentType = "application/json"
        var token: Bool = false
        var headers: [String: String] = [:]
    }

    static func json(_ text: String) -> Data { Data(text.utf8) }

    static func attacks(seed: APIFixture.Seed) -> [Attack] {
        let survey = "/api/v1/surveys/\(seed.survey)/responses"
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        return [
            Attack(name: "invalid UTF-8", path: "/api/v1/feedback", body: Data([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D])),
            Attack(name: "NUL in comment", path: "/api/v1/feedback", body: json(#"{"initiative_id":\#(seed.initiative),"comment":"a\u0000b"}"#)),
            Attack(name: "10 MB body", path: "/api/v1/feedback", body: Data(repeating: 0x61, count: 10 << 20)),
            Attack(name: "deeply nested JSON", path: "/api/v1/feedback", body: json(deep)),
            Attack(name: "huge number", path: "/api/v1/feedback", body: json(#"{"initiative_id":1e400,"comment":"x"}"#)),
            Attack(name: "integer overflow", path: "/api/v1/feedback", body: json(#"{"initiative_id":99999999999999999999999,"comment":"x"}"#)),
            Attack(name: "negative id", path: "/api/v1/feedback", body: json(#"{"initiative_id":-1,"comment":"x"}"#)),
            Attack(name: "float id", path: "/api/v1/feedback", body: json(#"{"initiative_id":1.5,"comment":"x"}"#)),
            Attack(
                name: "negative headcount",
                path: "/api/v1/events/1/attendance",
                body: json(#"{"kind":"headcount","group":"families","count":-5}"#),
                token: true
            ),
            Attack(
                name: "year 9999 event",
                path: "/api/v1/events",
                body: json(
                    #"{"title":"x","kind":"meeting","initiative_ids":[\#(seed.initiative)],"starts_at":"9999-12-31T00:00:00Z","ends_at":"9999-12-31T01:00:00Z"}"#
                ),
                token: true
            ),
            Attack(
                name: "year 0 date",
                path: "/api/v1/events",
                body: json(
                    #"{"title":"x","kind":"meeting","initiative_ids":[\#(seed.initiative)],"starts_at":"0000-01-01T00:00:00Z","ends_at":"0000-01-01T01:00:00Z"}"#
                ),
                token: true
            ),
            Attack(name: "unknown survey", path: "/api/v1/surveys/987654321/responses", body: json(#"{"group":"families","answers":[]}"#)),
            Attack(name: "unknown question", path: survey, body: json(#"{"group":"families","answers":[{"question_id":424242,"number":1}]}"#)),
            Attack(
                name: "answer out of range",
                path: survey,
                body: json(#"{"group":"families","answers":[{"question_id":\#(seed.questions[0]),"number":99}]}"#)
            ),
            Attack(
                name: "SQL in comment field name",
                path: "/api/v1/feedback",
                body: json(#"{"initiative_id":1,"comment":"x","'; DROP TABLE feedback; --":1}"#)
            ),
            Attack(
                name: "SQL in slug",
                path: "/api/v1/initiatives",
                body: json(#"{"slug":"x'); DROP TABLE initiatives; --","title":"t"}"#),
                token: true
            ),
            Attack(name: "SQL in path", method: .get, path: "/api/v1/schools/1%20OR%201=1", token: true),
            Attack(name: "SQL in query", method: .get, path: "/api/v1/feedback?initiative_id=1;DROP%20TABLE%20feedback", token: true),
            Attack(name: "HTML in slug", path: "/api/v1/initiatives", body: json(#"{"slug":"<script>alert(1)</script>","title":"t"}"#), token: true),
            Attack(
                name: "control characters in title",
                path: "/api/v1/goals",
                body: json(#"{"code":"G","title":"a\u0007\u001b[31mb"}"#),
                token: true
            ),
            Attack(
                name: "text over the limit",
                path: "/api/v1/feedback",
                body: json(#"{"initiative_id":\#(seed.initiative),"comment":"\#(String(repeating: "x", count: 5_001))"}"#)
            ),
            Attack(name: "empty body", path: "/api/v1/feedback", body: Data()),
            Attack(name: "JSON array body", path: "/api/v1/feedback", body: json("[]")),
            Attack(name: "JSON string body", path: "/api/v1/feedback", body: json(#""hello""#)),
            Attack(name: "null body", path: "/api/v1/feedback", body: json("null")),
            Attack(name: "trailing garbage", path: "/api/v1/feedback", body: json(#"{"initiative_id":1,"comment":"x"} trailing"#)),
            Attack(
                name: "wrong content type",
                path: "/api/v1/feedback",
                body: json(#"{"initiative_id":1,"comment":"x"}"#),
                contentType: "text/plain"
            ),
            Attack(
                name: "form content type",
                path: "/api/v1/feedback",
                body: json("initiative_id=1&comment=x"),
                contentType: "application/x-www-form-urlencoded"
            ),
            Attack(name: "XML body", path: "/api/v1/feedback", body: json("<feedback/>"), contentType: "application/xml"),
            Attack(name: "unknown enum", path: survey, body: json(#"{"group":"martians","answers":[]}"#)),
            Attack(name: "wrong type for group", path: survey, body: json(#"{"group":7,"answers":[]}"#)),
            Attack(name: "answers not an array", path: survey, body: json(#"{"group":"families","answers":"all"}"#)),
            Attack(
                name: "duplicate answers",
                path: survey,
                body: json(
                    #"{"group":"families","answers":[{"question_id":\#(seed.questions[0]),"number":1},{"question_id":\#(seed.questions[0]),"number":2}]}"#
                )
            ),
            Attack(
                name: "consent false with email",
                path: "/api/v1/feedback",
                body: json(#"{"initiative_id":\#(seed.initiative),"comment":"x","contact":{"email":"a@b.org","consent":false}}"#)
            ),
            Attack(name: "bogus bearer", method: .get, path: "/api/v1/schools", headers: ["Authorization": "Bearer ' OR '1'='1"]),
            Attack(name: "basic auth", method: .get, path: "/api/v1/schools", headers: ["Authorization": "Basic YWRtaW46YWRtaW4="]),
            Attack(
                name: "huge bearer",
                method: .get,
                path: "/api/v1/schools",
                headers: ["Authorization": "Bearer " + String(repeating: "A", count: 6000)]
            ),
            Attack(
                name: "empty idempotency key",
                path: "/api/v1/feedback",
                body: json(#"{"initiative_id":\#(seed.initiative),"comment":"x"}"#),
                headers: ["Idempotency-Key": ""]
            ),
            Attack(
                name: "oversized idempotency key",
                path: "/api/v1/feedback",
                body: json(#"{"initiative_id":\#(seed.initiative),"comment":"x"}"#),
                headers: ["Idempotency-Key": String(repeating: "k", count: 500)]
            ),
            Attack(name: "bad cursor", method: .get, path: "/api/v1/feedback?cursor=../../etc/passwd", token: true),
            Attack(name: "limit zero", method: .get, path: "/api/v1/feedback?limit=0", token: true),
            Attack(name: "limit negative", method: .get, path: "/api/v1/schools?limit=-3", token: true),
            Attack(name: "date garbage", method: .get, path: "/api/v1/feedback?from=yesterday", token: true),
            Attack(name: "path id overflow", method: .get, path: "/api/v1/schools/99999999999999999999999", token: true),
            Attack(name: "path traversal", method: .get, path: "/api/v1/schools/..%2F..%2Fetc", token: true),
            Attack(
                name: "null for a field",
                path: "/api/v1/feedback",
                body: json(#"{"initiative_id":\#(seed.initiative),"comment":"x","school_id":null}"#)
            ),
            Attack(name: "null inside a list", path: survey, body: json(#"{"group":"families","answers":[null]}"#)),
            Attack(name: "undeclared method", method: .trace, path: "/api/v1/schools", token: true),
            Attack(name: "DELETE where the contract has none", method: .delete, path: "/api/v1/feedback", token: true),
            Attack(name: "query id zero", method: .get, path: "/api/v1/feedback?initiative_id=0", token: true),
            Attack(name: "query id past 2^53", method: .get, path: "/api/v1/surveys?initiative_id=9007199254740992", token: true),
            Attack(name: "limit over 200", method: .get, path: "/api/v1/schools?limit=500", token: true),
            Attack(
                name: "cursor over 100 characters",
                method: .get,
                path: "/api/v1/schools?cursor=" + String(repeating: "0", count: 101),
                token: true
            ),
            Attack(
                name: "cluster over 100 characters",
                method: .get,
                path: "/api/v1/schools?cluster=" + String(repeating: "c", count: 101),
                token: true
            ),
            Attack(
                name: "If-None-Match over 200",
                method: .get,
                path: "/api/v1/scorecards/\(seed.initiative)",
                token: true,
                headers: ["If-None-Match": String(repeating: "e", count: 201)]
            ),
            // Session 3 (issue 12): missing Content-Type, strict date-times, framing of queries, and more.
            Attack(
                name: "PATCH without a Content-Type",
                method: .patch,
                path: "/api/v1/signups/1",
                body: json(#"{"status":"attended"}"#),
                contentType: "",
                token: true
            ),
            Attack(
                name: "POST without a Content-Type",
                path: "/api/v1/feedback",
                body: json(#"{"initiative_id":\#(seed.initiative),"comment":"x"}"#),
                contentType: ""
            ),
            Attack(
                name: "PATCH a school without a Content-Type",
                method: .patch,
                path: "/api/v1/schools/\(seed.school)",
                body: json(#"{"enrollment":1}"#),
                contentType: "",
                token: true
            ),
            Attack(name: "date in a query that rolls over", method: .get, path: "/api/v1/feedback?from=2026-02-30T00:00:00Z", token: true),
            Attack(name: "valueless query parameter", method: .get, path: "/api/v1/scorecards?period&limit=5", token: true),
            Attack(name: "empty query parameter", method: .get, path: "/api/v1/schools?&limit=5", token: true),
            Attack(name: "limit in exponent form", method: .get, path: "/api/v1/schools?limit=1e3", token: true),
            Attack(name: "hexadecimal id", method: .get, path: "/api/v1/feedback?initiative_id=0x10", token: true),
            // 1.0 is an integer by JSON Schema and reads as 1 (docs/decisions.md); 1.5 is not.
            Attack(name: "fractional path id", method: .get, path: "/api/v1/schools/1.5", token: true),
            Attack(name: "lone surrogate escape", path: "/api/v1/feedback", body: json(#"{"initiative_id":\#(seed.initiative),"comment":"\ud800"}"#)),
            Attack(name: "only white space", path: "/api/v1/feedback", body: json(#"{"initiative_id":\#(seed.initiative),"comment":"   \n\t "}"#)),
            Attack(
                name: "an invalid email with consent",
                path: "/api/v1/feedback",
                body: json(#"{"initiative_id":\#(seed.initiative),"comment":"x","contact":{"email":"not-an-email","consent":true}}"#)
            ),
            Attack(
                name: "negative enrollment",
                path: "/api/v1/schools",
                body: json(#"{"code":"N1","name":"n","cluster":"c","level":"elementary","enrollment":-1}"#),
                token: true
            ),
            Attack(
                name: "event ending before it starts",
                path: "/api/v1/events",
                body: json(
                    #"{"title":"x","kind":"meeting","initiative_ids":[\#(seed.initiative)],"starts_at":"2026-03-01T20:00:00Z","ends_at":"2026-03-01T10:00:00Z"}"#
                ),
                token: true
            ),
            Attack(
                name: "ten thousand answers",
                path: survey,
                body: json(
                    #"{"group":"families","answers":["# + Array(repeating: #"{"question_id":1,"number":1}"#, count: 10_000).joined(separator: ",")
                        + "]}"
                )
            ),
            Attack(
                name: "a UTF-8 BOM before the JSON",
                path: "/api/v1/feedback",
                body: Data([0xEF, 0xBB, 0xBF]) + json(#"{"initiative_id":1,"comment":"x""#)
            ),
            Attack(
                name: "a zero-capacity shift",
                path: "/api/v1/opportunities",
                body: json(
                    #"{"initiative_id":\#(seed.initiative),"title":"t","shifts":[{"starts_at":"2026-03-01T10:00:00Z","ends_at":"2026-03-01T12:00:00Z","capacity":0}]}"#
                ),
                token: true
            ),
        ] + Self.eventDateTimeAttacks(seed)
    }

    /// An event starting at a date-time RFC 3339 does not allow: 422, nothing stored.
    static func eventDateTimeAttacks(_ seed: APIFixture.Seed) -> [Attack] {
        [
            ("February 30", "2026-02-30T10:00:00Z"),
            ("offset +25:00", "2026-03-01T10:00:00+25:00"),
            ("offset +24:00", "2026-03-01T10:00:00+24:00"),
            ("a space for T", "2026-03-01 10:00:00Z"),
            ("a leap second", "2026-03-01T23:59:60Z"),
            ("month 13", "2026-13-01T10:00:00Z"),
            ("hour 24", "2026-03-01T24:00:00Z"),
            ("no offset", "2026-03-01T10:00:00"),
            ("a two-digit year", "26-03-01T10:00:00Z"),
        ].map { name, startsAt in
            Attack(
                name: name,
                path: "/api/v1/events",
                body: json(
                    #"{"title":"x","kind":"meeting","initiative_ids":[\#(seed.initiative)],"starts_at":"\#(startsAt)","ends_at":"2026-03-01T20:00:00Z"}"#
                ),
                token: true
            )
        }
    }

    @Test func everyAttackIsA4xxProblemAndChangesNothing() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let tables = [
                "district_goals", "schools", "initiatives", "surveys", "responses", "answers", "feedback", "events", "attendance",
                "participants", "participant_contacts", "jobs", "idempotency_keys",
            ]
            func snapshot() async throws -> [Int] {
                var counts: [Int] = []
                for table in tables { counts.append(try await api.count(table)) }
                return counts
            }
            let before = try await snapshot()
            let attacks = Self.attacks(seed: seed)
            #expect(attacks.count >= 80)
            for attack in attacks {
                var headers: [HTTPField.Name: String] = [:]
                for (name, value) in attack.headers { headers[HTTPField.Name(name)!] = value }
                let reply = try await api.call(
                    attack.method,
                    attack.path,
                    token: attack.token ? api.admin : nil,
                    raw: attack.body,
                    contentType: attack.contentType,
                    headers: headers
                )
                #expect((400..<500).contains(reply.status.code), "\(attack.name): \(reply.status) \(reply.text.prefix(200))")
                #expect(reply.isProblem, "\(attack.name): not problem+json")
                if reply.status == .methodNotAllowed { #expect(reply.headers[.allow] != nil, "\(attack.name): 405 without Allow") }
            }
            #expect(try await snapshot() == before)
        }
    }
}
