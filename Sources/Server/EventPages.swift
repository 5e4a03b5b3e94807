import Engagement
import Foundation
import Hummingbird
import InputParsing
import QRCode

/// Families' event pages (issue 16, build 6): the public page of an event with its RSVP form,
/// and the self check-in the poster's QR code opens. The check-in's path carries a signed token
/// of the event, so only someone who saw the poster can check in, and only from an hour before
/// the start to two hours after the end. No account, no JavaScript. See docs/events.md.
extension WebPages {
    func addEventRoutes(to router: Router<ChorusContext>) {
        let pages = router.group().add(middleware: PageHeadersMiddleware())
        pages.get("/events/:id") { request, context in
            let language = try await pageLanguage(request)
            guard let event = try await publicEvent(try context.parameters.require("id", as: Int64.self)) else {
                return try await notFound(request, language)
            }
            return try await eventPage(event, request: request, language: language, form: nil, errors: [:])
        }
        pages.post("/events/:id") { request, context in
            try await answer(request, context: context, id: try context.parameters.require("id", as: Int64.self))
        }
        pages.get("/checkin/:token") { request, context in
            try await checkIn(request, context: context, token: try context.parameters.require("token"), submitted: false)
        }
        pages.post("/checkin/:token") { request, context in
            try await checkIn(request, context: context, token: try context.parameters.require("token"), submitted: true)
        }
    }

    func answer(_ request: Request, context: ChorusContext, id: Int64) async throws -> Response {
        let language = try await pageLanguage(request)
        guard let event = try await publicEvent(id) else { return try await notFound(request, language) }
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        let refusal = try await screen(request, form: form, context: context, language: language) {
            try await eventPage(
                event,
                request: request,
                language: language,
                form: form,
                errors: ["form": "error_session"],
                status: .unprocessableContent
            )
        }
        if let refusal { return refusal }
        var errors: [String: String] = [:]
        let group = form["group"].flatMap(StakeholderGroup.init(rawValue:))
        if group == nil { errors["group"] = "error_group" }
        let party = Int(form["party_size"] ?? "1")
        if party == nil || !(1...20).contains(party ?? 0) { errors["party"] = "error_party_size" }
        if errors.isEmpty, let group, let party {
            do {
                _ = try await database.transaction { db in
                    try await EventRSVPs().rsvp(
                        eventID: id,
                        group: group,
                        partySize: party,
                        contact: Self.contact(form),
                        language: language.code,
                        on: db
                    )
                }
                return try await thanks(request, language, message: "rsvp_thanks", receipt: nil)
            } catch let error as EngagementError where error.code == .invalid || error.code == .conflict {
                if error.code == .conflict {
                    errors["form"] = error.fields.first?.field == "party_size" ? "event_full" : "event_closed"
                } else {
                    errors.merge(Self.formErrors(error, otherwise: "contact")) { $1 }
                }
            }
        }
        return try await eventPage(event, request: request, language: language, form: form, errors: errors, status: .unprocessableContent)
    }

    func checkIn(_ request: Request, context: ChorusContext, token: String, submitted: Bool) async throws -> Response {
        let language = try await pageLanguage(request)
        // The limit before the token and the event are read. Many phones at one door share the
        // school's address: a higher limit, for the event the link names only.
        let claimed = token.prefix { $0 != "-" }.prefix(19)
        if submitted, try await !allowed("checkin:\(claimed):" + limiter.client(of: request, context: context), perMinute: 120, burst: 60) {
            return try await message(request, language, "too_many_title", "too_many_text", status: .tooManyRequests)
        }
        let tokens = try await database.connection { try await LinkTokens.load(on: $0) }
        guard let id = tokens.id(.checkIn, from: token), let event = try await publicEvent(id) else {
            return try await notFound(request, language)
        }
        guard event.cancelledAt == nil, EventRSVPs.checkInWindow(event).contains(Date()) else {
            return try await message(request, language, "checkin_closed_title", "checkin_closed_text", status: .conflict)
        }
        guard submitted else { return try await checkInPage(event, token: token, request: request, language: language, form: nil, errors: [:]) }
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        let verdict = try await forms.check(request, form: form, minimumFillTime: 1)
        if verdict == .crossSite { return try await message(request, language, "forbidden_title", "forbidden_text", status: .forbidden) }
        if verdict == .bot { return try await thanks(request, language, message: "checkin_thanks", receipt: nil) }
        if verdict == .expired {
            return try await checkInPage(
                event,
                token: token,
                request: request,
                language: language,
                form: form,
                errors: ["form": "error_session"],
                status: .unprocessableContent
            )
        }
        var errors: [String: String] = [:]
        if let group = form["group"].flatMap(StakeholderGroup.init(rawValue:)) {
            do {
                _ = try await database.transaction { db in
                    try await EventRSVPs().selfCheckIn(eventID: id, group: group, contact: Self.contact(form), on: db)
                }
                return try await thanks(request, language, message: "checkin_thanks", receipt: nil)
            } catch let error as EngagementError where error.code == .conflict {
                return try await message(request, language, "checkin_closed_title", "checkin_closed_text", status: .conflict)
            } catch let error as EngagementError where error.code == .invalid {
                errors.merge(Self.formErrors(error, otherwise: "contact")) { $1 }
            }
        } else {
            errors["group"] = "error_group"
        }
        return try await checkInPage(
            event,
            token: token,
            request: request,
            language: language,
            form: form,
            errors: errors,
            status: .unprocessableContent
        )
    }

    // MARK: Views

    func eventPage(
        _ event: Event,
        request: Request,
        language: PageLanguage,
        form: FormFields?,
        errors: [String: String],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var view = try await eventView(event, form: form, errors: errors, language: language)
        view["open"] = event.cancelledAt == nil && event.endsAt > Date()
        view["over"] = event.cancelledAt == nil && event.endsAt <= Date()
        view["partySize"] = form?["party_size"] ?? "1"
        return try await page("event-public", view, request: request, language: language, status: status, form: true)
    }

    func checkInPage(
        _ event: Event,
        token: String,
        request: Request,
        language: PageLanguage,
        form: FormFields?,
        errors: [String: String],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var view = try await eventView(event, form: form, errors: errors, language: language)
        view["token"] = token
        return try await page("checkin", view, request: request, language: language, status: status, form: true)
    }

    /// What the event's pages and poster say of it: title, time on the district's clock, place,
    /// languages spoken (named in the page's language), and the form's state.
    func eventView(_ event: Event, form: FormFields?, errors: [String: String], language: PageLanguage) async throws -> [String: Any] {
        let schools = try await database.connection { try await ReferenceData().allSchools(on: $0) }
        var view = try await formView(form: form, errors: errors, language: language, anchors: ["party": "party-size"], schools: schools)
        let place = [schools.first { $0.id == event.schoolID }?.name, event.location].compactMap { $0 }.filter { !$0.isEmpty }
        view["eventID"] = event.id
        view["title"] = language.text(event.title).text
        view["titleLang"] = language.text(event.title).lang ?? false
        view["when"] = language.span(event.startsAt, event.endsAt)
        view["where"] = place.isEmpty ? false : place.joined(separator: ", ")
        let names = event.languages.map { Self.languageName($0, in: language.code) }
        view["spoken"] = names.isEmpty ? false : names.joined(separator: language.code == "zh-Hans" ? "、" : language.direction == "rtl" ? "، " : ", ")
        view["cancelled"] = event.cancelledAt != nil
        view["partyError"] = errors["party"].map { language.strings[text: $0] } ?? false
        return view
    }

    static func languageName(_ code: String, in pageLanguage: String) -> String {
        Locale(identifier: pageLanguage).localizedString(forIdentifier: code) ?? code
    }

    func publicEvent(_ id: Int64) async throws -> Event? {
        do {
            return try await database.connection { try await Events().event(id: id, on: $0) }
        } catch let error as EngagementError where error.code == .notFound {
            return nil
        }
    }
}

extension LiaisonPages {
    /// The printable poster of an event: what, when, where, and the QR code of its self check-in,
    /// with "scan to check in" in each of the event's languages (and the page's).
    func poster(_ request: Request, id: Int64) async throws -> Response {
        let language = try await web.pageLanguage(request)
        guard let event = try await web.publicEvent(id), (try? Access.reach(event)) != nil else { return try await web.notFound(request, language) }
        let tokens = try await web.database.connection { try await LinkTokens.load(on: $0) }
        let base = web.publicURL ?? "http://" + (request.head.authority ?? "127.0.0.1:8080")
        let url = base + "/checkin/" + tokens.token(.checkIn, id)
        let codes = [language.code] + event.languages.filter { $0 != language.code }
        // Each language Chorus has words for, once (a language without them falls back to the
        // district's, already on the poster).
        var seen = Set<String>()
        let scans = codes.compactMap { code -> [String: Any]? in
            let text = web.strings.strings(code, fallback: language.district.defaultLanguage)[text: "poster_scan"]
            guard seen.insert(text).inserted else { return nil }
            return ["lang": code, "text": text, "dir": PageLanguage.rightToLeft.contains(PageLanguage.primary(code)) ? "rtl" : "ltr"]
        }
        var view = try await web.eventView(event, form: nil, errors: [:], language: language)
        view["qr"] = QRCode(url)?.svg(label: language.strings[text: "poster_scan"] + ": " + url) ?? ""
        view["url"] = url
        view["scans"] = scans
        return try await web.page("poster", view, request: request, language: language)
    }
}
