import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Postgres
import Testing

/// A visitor's browser, as far as the pages care: the form cookie it was given, and forms filled
/// in by a person (a token issued long enough ago) or a bot (just now).
struct Visitor {
    let api: APIFixture
    var cookies: [String: String] = [:]
    var cookie: String? { cookies.isEmpty ? nil : cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    struct Page {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let html: String
    }

    mutating func get(_ path: String, language: String? = nil) async throws -> Page {
        var headers: HTTPFields = [:]
        if let language { headers[.acceptLanguage] = language }
        if let cookie { headers[.cookie] = cookie }
        let response = try await api.http.execute(uri: path, method: .get, headers: headers, body: nil)
        keep(response.headers)
        return Page(status: response.status, headers: response.headers, html: String(buffer: response.body))
    }

    mutating func keep(_ headers: HTTPFields) {
        for set in headers[values: .setCookie] {
            let pair = set.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let (name, value) = (String(pair[0]), pair.count > 1 ? String(pair[1]) : "")
            if value.isEmpty || set.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
    }

    /// A form token as the server makes them, issued `age` seconds ago (people take a while).
    func token(age: TimeInterval = 30) async throws -> String {
        let secret = try await api.database.query("SELECT value FROM settings WHERE key = 'form_secret'").first!.decode(Data.self, at: 0)
        let nonce = cookies["chorus_form"]!
        let issued = String(Int(Date().timeIntervalSince1970 - age))
        let mac = Data(HMAC<SHA256>.authenticationCode(for: Data((nonce + "." + issued).utf8), using: SymmetricKey(data: secret)))
        return issued + "."
            + mac.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A form with a file, as a browser sends it.
    mutating func postMultipart(
        _ path: String,
        _ fields: [(String, String)],
        file: (field: String, name: String, content: String)
    ) async throws -> Page {
        let boundary = "----chorus\(UUID().uuidString.prefix(8))"
        var body = ""
        for (name, value) in fields { body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n" }
        body +=
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: text/csv\r\n\r\n\(file.content)\r\n"
        body += "--\(boundary)--\r\n"
        var headers: HTTPFields = [.contentType: "multipart/form-data; boundary=\(boundary)"]
        if let cookie { headers[.cookie] = cookie }
        let response = try await api.http.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        keep(response.headers)
        return Page(status: response.status, headers: response.headers, html: String(buffer: response.body))
    }

    mutating func post(_ path: String, _ fields: [(String, String)], origin: String? = nil) async throws -> Page {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = cookie }
        if let origin { headers[.origin] = origin }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
        let response = try await api.http.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        keep(response.headers)
        return Page(status: response.status, headers: response.headers, html: String(buffer: response.body))
    }
}

@Suite("Public web pages (HTTP + PostgreSQL)")
struct WebPageTests {
    @Test func landingPageInSpanishWithSecurityHeaders() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            var visitor = Visitor(api: api)
            let page = try await visitor.get("/", language: "es-MX,es;q=0.9,en;q=0.5")
            #expect(page.status == .ok && page.html.contains(#"<html lang="es" dir="ltr">"#))
            #expect(page.html.contains("Encuestas abiertas") && page.html.contains("Portátiles"))
            #expect(page.html.contains(#"href="/surveys/\#(seed.survey)?lang=es""#))
            #expect(page.html.contains(#"href="/?lang=en""#))  // the switch keeps the page
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src") == false)  // default-src 'none': no script at all
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
            let english = try await visitor.get("/?lang=en", language: "es")
            #expect(
                english.html.contains(#"<html lang="en" dir="ltr">"#) && english.html.contains("Open surveys") && english.html.contains("Laptops")
            )
            let css = try await visitor.get("/static/chorus.css")
            #expect(css.status == .ok && css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(try await visitor.get("/surveys/999999").status == .notFound)
        }
    }

    @Test func surveyFormHasEveryKindLabelledAndASecureCookie() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            var visitor = Visitor(api: api)
            let page = try await visitor.get("/surveys/\(seed.survey)?lang=es")
            #expect(page.status == .ok)
            let cookie = try #require(page.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            #expect(page.html.contains(#"name="csrf""#) && page.html.contains(#"name="website""#))
            let q = seed.questions
            #expect(page.html.contains("<legend id=\"q\(q[0])-legend\"><span>¿Satisfecho?</span> <span class=\"hint\">(obligatorio)</span></legend>"))
            #expect(page.html.contains(#"<input type="radio" id="q\#(q[0])-0" name="q\#(q[0])" value="1">"#))
            #expect(page.html.contains(#"<label for="q\#(q[0])-4">5 — Muy satisfecho/a</label>"#))
            #expect(page.html.contains(#"<label for="q\#(q[1])-1">Tableta</label>"#))
            #expect(page.html.contains(#"<input type="checkbox" id="q\#(q[2])-0" name="q\#(q[2])" value="homework">"#))
            #expect(page.html.contains(#"id="q\#(q[3])-10" name="q\#(q[3])" value="10""#))
            #expect(page.html.contains(#"<textarea id="q\#(q[4])-text" name="q\#(q[4])""#))
            #expect(page.html.contains(#"<label for="contact-email">Correo electrónico</label>"#))
        }
    }

    @Test func aFamilySubmitsInSpanishAndGetsAReceipt() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            var visitor = Visitor(api: api)
            _ = try await visitor.get("/surveys/\(seed.survey)?lang=es")
            let q = seed.questions
            let reply = try await visitor.post(
                "/surveys/\(seed.survey)?lang=es",
                [
                    ("csrf", try await visitor.token()), ("website", ""), ("q\(q[0])", "4"), ("q\(q[1])", "tablet"), ("q\(q[2])", "homework"),
                    ("q\(q[2])", "reading"), ("q\(q[3])", "9"), ("q\(q[4])", "El wifi es lento"), ("group", "families"),
                    ("school_id", String(seed.school)),
                ]
            )
            #expect(reply.status == .ok && reply.html.contains("Gracias") && reply.html.contains(#"class="receipt""#))
            let row = try #require(try await api.database.query("SELECT language, stakeholder_group::text, school_id FROM responses").first)
            #expect(try row.decode((String, String, Int64).self) == ("es", "families", seed.school))
            let choices = try await api.database.query("SELECT choices FROM answers WHERE question_id = \(q[2])").first!.decode([String].self, at: 0)
            #expect(choices == ["homework", "reading"])
        }
    }

    @Test func errorsAreListedLinkedAndTheValuesKept() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            var visitor = Visitor(api: api)
            _ = try await visitor.get("/surveys/\(seed.survey)")
            let q = seed.questions
            let reply = try await visitor.post(
                "/surveys/\(seed.survey)?lang=en",
                [
                    ("csrf", try await visitor.token()), ("q\(q[4])", "Keep <this> text"), ("contact_email", "not-an-email"),
                    ("contact_consent", "yes"), ("q\(q[1])", "tablet"),
                ]
            )
            #expect(reply.status == .unprocessableContent)
            #expect(reply.html.contains(#"role="alert""#) && reply.html.contains("Please check these answers"))
            #expect(reply.html.contains(##"<a href="#q\##(q[0])">This answer is required.</a>"##))  // the likert question
            #expect(reply.html.contains(##"<a href="#group">Choose who you are.</a>"##))
            #expect(reply.html.contains(#"aria-describedby="q\#(q[0])-error""#) && reply.html.contains(#"id="q\#(q[0])-error""#))
            // Entered values are kept (and escaped).
            #expect(reply.html.contains("Keep &lt;this&gt; text</textarea>"))
            #expect(
                reply.html.contains(#"value="not-an-email""#)
                    && reply.html.contains(#"id="contact-consent" name="contact_consent" value="yes" checked"#)
            )
            #expect(reply.html.contains(#"value="tablet" checked"#))
            #expect(try await api.count("responses") == 0)
            // Fixing the group and the answer, the contact details are still wrong: listed, nothing stored.
            let again = try await visitor.post(
                "/surveys/\(seed.survey)?lang=en",
                [
                    ("csrf", try await visitor.token()), ("q\(q[0])", "5"), ("group", "students"), ("contact_email", "not-an-email"),
                    ("contact_consent", "yes"),
                ]
            )
            #expect(again.status == .unprocessableContent && again.html.contains(##"<a href="#contact-email">"##))
            #expect(try await api.count("responses") == 0)
        }
    }

    @Test func forgedOrCrossSiteOrBotSubmissionsStoreNothing() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            var visitor = Visitor(api: api)
            _ = try await visitor.get("/feedback")
            let fields: [(String, String)] = [("initiative_id", String(seed.initiative)), ("group", "families"), ("comment", "hello")]
            // No token, or a wrong one: the form comes back asking to send it again.
            let missing = try await visitor.post("/feedback", fields)
            #expect(missing.status == .unprocessableContent && missing.html.contains("This form expired"))
            let wrong = try await visitor.post("/feedback", fields + [("csrf", "1700000000.AAAA")])
            #expect(wrong.status == .unprocessableContent)
            var stranger = Visitor(api: api)  // another browser's token does not fit this cookie
            _ = try await stranger.get("/feedback")
            let borrowed = try await visitor.post("/feedback", fields + [("csrf", try await stranger.token())])
            #expect(borrowed.status == .unprocessableContent)
            // Posted from another site: refused.
            let crossSite = try await visitor.post("/feedback", fields + [("csrf", try await visitor.token())], origin: "https://evil.example")
            #expect(crossSite.status == .forbidden)
            #expect(try await api.count("feedback") == 0)
        }
        try await withAPI { api in
            let seed = try await api.seed()
            var visitor = Visitor(api: api)
            _ = try await visitor.get("/feedback")
            let fields: [(String, String)] = [("initiative_id", String(seed.initiative)), ("group", "families"), ("comment", "hello")]
            // A honeypot filled in, or a form sent back within a second: thanked, not stored.
            let honeypot = try await visitor.post("/feedback", fields + [("csrf", try await visitor.token()), ("website", "http://spam.example")])
            #expect(honeypot.status == .ok && honeypot.html.contains("Thank you") && !honeypot.html.contains(#"class="receipt""#))
            let tooFast = try await visitor.post("/feedback", fields + [("csrf", try await visitor.token(age: 0))])
            #expect(tooFast.status == .ok && !tooFast.html.contains(#"class="receipt""#))
            #expect(try await api.count("feedback") == 0)
            // A person, same form: stored, with a receipt.
            let person = try await visitor.post("/feedback", fields + [("csrf", try await visitor.token())])
            #expect(person.status == .ok && person.html.contains(#"class="receipt""#))
            #expect(try await api.count("feedback") == 1)
        }
    }

    @Test func floodsGetAFriendly429() async throws {
        // A burst of five and (almost) no refill, so a slow machine cannot earn a sixth.
        try await withAPI(submissionsPerClientPerMinute: 0.001) { api in
            let seed = try await api.seed()
            var visitor = Visitor(api: api)
            _ = try await visitor.get("/feedback")
            var statuses: [HTTPResponse.Status] = []
            for n in 0..<8 {
                let reply = try await visitor.post(
                    "/feedback",
                    [
                        ("csrf", try await visitor.token()), ("initiative_id", String(seed.initiative)), ("group", "families"),
                        ("comment", "flood \(n)"),
                    ]
                )
                statuses.append(reply.status)
                if reply.status == .tooManyRequests { #expect(reply.html.contains("Too many submissions")) }
            }
            // Five at once from one client, then no more until the bucket refills.
            #expect(statuses.prefix(5).allSatisfy { $0 == .ok } && statuses.suffix(3).allSatisfy { $0 == .tooManyRequests })
            #expect(try await api.count("feedback") == 5)
        }
    }

    @Test func scriptInACommentIsShownEscaped() async throws {
        try await withAPI { api in
            _ = try await api.seed()
            var visitor = Visitor(api: api)
            _ = try await visitor.get("/feedback")
            // No initiative chosen: the form comes back with the comment as typed, escaped.
            let reply = try await visitor.post(
                "/feedback",
                [("csrf", try await visitor.token()), ("group", "families"), ("comment", #"<script>alert("x")</script>"#)]
            )
            #expect(reply.status == .unprocessableContent)
            #expect(!reply.html.contains("<script>") && reply.html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
        }
    }

    @Test func everyFeedbackAndVolunteerErrorPath() async throws {
        try await withAPI(submissionBurst: 20) { api in
            let seed = try await api.seed()
            var visitor = Visitor(api: api)
            _ = try await visitor.get("/feedback?lang=es")
            let base: [(String, String)] = [("initiative_id", String(seed.initiative)), ("group", "families"), ("comment", "hola")]
            func without(_ field: String) -> [(String, String)] { base.filter { $0.0 != field } }
            let cases: [([(String, String)], String)] = [
                (without("comment"), "Escriba un comentario"),
                (without("initiative_id"), "Elija de qué trata su comentario"),
                (without("group"), "Elija quién es usted"),
                (base + [("school_id", "nope")], "Elija una escuela de la lista"),
                (base + [("school_id", "999999")], "Elija una escuela de la lista"),
                (base + [("contact_email", "ana@example.org")], "Revise sus datos de contacto"),  // no consent
            ]
            for (fields, message) in cases {
                let reply = try await visitor.post("/feedback?lang=es", fields + [("csrf", try await visitor.token())])
                #expect(reply.status == .unprocessableContent && reply.html.contains(message), "\(fields): \(message)")
            }
            #expect(try await api.count("feedback") == 0)
        }
    }

    @Test func volunteersSignUpThenJoinTheWaitlist() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let opportunity = try await api.call(
                .post,
                "/api/v1/opportunities",
                token: api.admin,
                json: [
                    "initiative_id": seed.initiative, "title": "Library helpers",
                    "shifts": [["starts_at": "2030-03-01T15:00:00Z", "ends_at": "2030-03-01T17:00:00Z", "capacity": 1]],
                ]
            )
            let shift = try #require(((opportunity.json["shifts"] as? [[String: Any]])?.first?["id"] as? NSNumber)?.int64Value)
            var visitor = Visitor(api: api)
            let page = try await visitor.get("/volunteer/\(shift)?lang=en")
            #expect(page.status == .ok && page.html.contains("Library helpers") && page.html.contains("1 place left"))
            let fields: [(String, String)] = [
                ("group", "families"), ("contact_name", "Ana"), ("contact_email", "ana@example.org"), ("contact_consent", "yes"),
            ]
            let first = try await visitor.post("/volunteer/\(shift)?lang=en", fields + [("csrf", try await visitor.token())])
            #expect(first.status == .ok && first.html.contains("You are signed up."))
            let noContact = try await visitor.post("/volunteer/\(shift)?lang=en", [("csrf", try await visitor.token()), ("group", "families")])
            #expect(noContact.status == .unprocessableContent && noContact.html.contains("Check your contact details"))
            let noGroup = try await visitor.post(
                "/volunteer/\(shift)?lang=en",
                [("csrf", try await visitor.token())] + fields.filter { $0.0 != "group" }
            )
            #expect(noGroup.status == .unprocessableContent && noGroup.html.contains("Choose who you are."))
            let second = try await visitor.post(
                "/volunteer/\(shift)?lang=es",
                [("csrf", try await visitor.token()), ("group", "families"), ("contact_email", "luis@example.org"), ("contact_consent", "yes")]
            )
            #expect(second.status == .ok && second.html.contains("lista de espera"))
            #expect(try await visitor.get("/?lang=en").html.contains("Full: you can join the waitlist"))
        }
    }
}
