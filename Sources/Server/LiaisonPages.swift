import Engagement
import Foundation
import Hummingbird
import InputParsing

/// Pages for community liaisons (and administrators) at a school door: sign in with a token,
/// record an event, a quick headcount by group, individual check-ins, and a pasted CSV
/// sign-in sheet. The session is a cookie (`chorus_session`: token id, expiry, HMAC; HttpOnly,
/// SameSite=Strict, Secure behind TLS) checked against the token on every request, so revoking
/// the token ends the session at once. See docs/web.md.
struct LiaisonPages: Sendable {
    /// The kinds of event a liaison records, in the order the form offers them.
    static let eventKinds = ["family_night", "workshop", "meeting", "conference", "community", "training", "other"]
    let web: WebPages
    static let cookie = "chorus_session"
    static let lifetime: TimeInterval = 8 * 3600

    func addRoutes(to router: Router<ChorusContext>) {
        let pages = router.group("liaison").add(middleware: PageHeadersMiddleware())
        pages.get("login") { request, _ in try await login(request, failed: false) }
        pages.post("login") { request, _ in try await signIn(request) }
        pages.post("logout") { request, _ in try await signOut(request) }
        pages.get("/") { request, _ in try await signedIn(request) { try await events(request, $0, form: nil, errors: [:]) } }
        pages.post("events") { request, _ in try await signedIn(request) { try await createEvent(request, $0) } }
        pages.get("events/:id") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request) { _ in try await event(request, id: id, notice: nil, form: nil, errors: [:], sheetErrors: []) }
        }
        pages.get("events/:id/poster") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request) { _ in try await poster(request, id: id) }
        }
        pages.post("events/:id/:action") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            let action = try context.parameters.require("action")
            return try await signedIn(request) { try await record(request, $0, eventID: id, action: action) }
        }
    }

    // MARK: Session

    func signIn(_ request: Request) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        let verdict = try await web.forms.check(request, form: form, minimumFillTime: 0)
        guard verdict == .person, let secret = form["token"],
            let principal = try await Tokens().authenticate(secret, on: web.database), let tokenID = principal.tokenID
        else { return try await login(request, failed: true, status: verdict == .crossSite ? .forbidden : .unauthorized) }
        let expires = Int(Date().timeIntervalSince1970 + Self.lifetime)
        let value = "\(tokenID).\(expires).\(try await signature(tokenID, expires))"
        var response = Response(status: .seeOther, headers: [.location: "/liaison?lang=\(try await web.pageLanguage(request).code)"])
        response.headers[.setCookie] = PageCookie.header(Self.cookie, value, for: request)
        return response
    }

    func signOut(_ request: Request) async throws -> Response {
        var response = Response(status: .seeOther, headers: [.location: "/liaison/login?lang=\(try await web.pageLanguage(request).code)"])
        response.headers[.setCookie] = PageCookie.header(Self.cookie, "", for: request, expired: true)
        return response
    }

    /// Runs `page` for a signed-in liaison or administrator whose token is still valid; anyone
    /// else goes to the sign-in page.
    func signedIn(_ request: Request, _ page: (Principal) async throws -> Response) async throws -> Response {
        guard let principal = try await session(request) else {
            return Response(status: .seeOther, headers: [.location: "/liaison/login?lang=\(try await web.pageLanguage(request).code)"])
        }
        guard AccessTable.rules["POST /events"]?.allows(principal.role) == true else {
            return try await web.message(request, try await web.pageLanguage(request), "forbidden_title", "console_forbidden", status: .forbidden)
        }
        return try await Access.$principal.withValue(principal) { try await page(principal) }
    }

    func session(_ request: Request) async throws -> Principal? {
        guard let value = PageCookie.value(Self.cookie, in: request) else { return nil }
        let parts = value.split(separator: ".").map(String.init)
        guard parts.count == 3, let id = Int64(parts[0]), let expires = Int(parts[1]), expires > Int(Date().timeIntervalSince1970),
            try await web.forms.verify("session.\(id).\(expires)", signature: parts[2])
        else { return nil }
        return try await Tokens().principal(tokenID: id, on: web.database)
    }

    func signature(_ id: Int64, _ expires: Int) async throws -> String {
        try await web.forms.sign("session.\(id).\(expires)")
    }

    // MARK: Pages

    func login(_ request: Request, failed: Bool, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let view: [String: Any] = [
            "title": t[text: "login_title"], "hasErrors": failed, "errors": failed ? [["target": "token", "message": t[text: "error_token"]]] : [],
        ]
        return try await web.page("login", view, request: request, language: language, status: status, form: true)
    }

    func events(_ request: Request, _ principal: Principal, form: FormFields?, errors: [String: String]) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let (events, initiatives) = try await web.database.snapshot { db in
            (try await Events().events(.init(limit: 100, scope: principal.scope), on: db).items, try await ReferenceData().allInitiatives(on: db))
        }
        var view = try await web.formView(form: form, errors: errors, language: language, anchors: ["event": "title"])
        view["title"] = t[text: "events"]
        view["events"] = events.map {
            ["id": $0.id, "title": language.view($0.title), "when": language.when($0.startsAt, zone: true), "attended": $0.attendanceTotal]
                as [String: Any]
        }
        view["kinds"] = Self.eventKinds.map { (kind: String) -> [String: Any] in
            let label: String = t["kind_" + kind] ?? kind
            return ["value": kind, "label": label, "selected": form?["kind"] == kind]
        }
        view["initiatives"] = initiatives.map {
            ["id": $0.id, "title": language.view($0.title), "selected": form?["initiative_id"] == String($0.id)] as [String: Any]
        }
        var values = view["values"] as? [String: Any] ?? [:]
        for field in ["title", "location", "starts_at", "ends_at", "capacity"] { values[field] = form?[field] ?? "" }
        view["values"] = values
        return try await web.page(
            "events",
            view,
            request: request,
            language: language,
            status: errors.isEmpty ? .ok : .unprocessableContent,
            form: true
        )
    }

    func createEvent(_ request: Request, _ principal: Principal) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await events(request, principal, form: form, errors: ["form": "error_session"])
        }
        let language = try await web.pageLanguage(request)
        let starts = form["starts_at"].flatMap { Self.parseTime($0, in: language.timeZone) }
        let ends = form["ends_at"].flatMap { Self.parseTime($0, in: language.timeZone) }
        guard let title = form["title"], let kind = form["kind"], let initiative = form["initiative_id"].flatMap({ Int64($0) }),
            let starts, let ends,
            principal.scope.covers(school: form["school_id"].flatMap { Int64($0) }, initiatives: [initiative])
        else { return try await events(request, principal, form: form, errors: ["event": "error_event"]) }
        do {
            let event = try await web.database.transaction { db in
                try await Events().create(
                    .init(
                        title: Translated([language.district.defaultLanguage: title]),
                        kind: kind,
                        initiativeIDs: [initiative],
                        schoolID: form["school_id"].flatMap { Int64($0) },
                        location: form["location"],
                        startsAt: starts,
                        endsAt: ends,
                        capacity: form["capacity"].flatMap { Int($0) }
                    ),
                    recordedBy: principal.tokenID,
                    on: db
                )
            }
            return Response(status: .seeOther, headers: [.location: "/liaison/events/\(event.id)?lang=\(language.code)"])
        } catch let error as EngagementError where error.code == .invalid || error.code == .notFound {
            return try await events(request, principal, form: form, errors: ["event": "error_event"])
        }
    }

    func event(
        _ request: Request,
        id: Int64,
        notice: String?,
        form: FormFields?,
        errors: [String: String],
        sheetErrors: [String]
    ) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let found: Event
        do {
            found = try Access.reach(try await web.database.connection { try await Events().event(id: id, on: $0) })
        } catch let error as EngagementError where error.code == .notFound {
            return try await web.notFound(request, language)
        }
        var view = try await web.formView(form: form, errors: errors, language: language, anchors: [:])
        view["title"] = language.text(found.title).text
        view["titleLang"] = language.text(found.title).lang ?? false
        view["eventID"] = found.id
        view["when"] = language.when(found.startsAt, zone: true)
        view["attended"] = found.attendanceTotal
        // Who said they would come, and who came (newest first): no one's details.
        let (rsvps, checkIns) = try await web.database.snapshot { db in
            (try await EventRSVPs().rsvps(eventID: id, on: db), try await EventRSVPs().recentCheckIns(eventID: id, on: db))
        }
        let t = language.strings
        view["rsvpCount"] = rsvps.count
        view["hasRSVPs"] = !rsvps.isEmpty
        view["rsvpPeople"] = rsvps.reduce(0) { $0 + $1.partySize }
        view["rsvpArrived"] = rsvps.filter(\.checkedIn).count
        view["rsvps"] = rsvps.map {
            [
                "group": t[text: "group_\($0.group.rawValue)"], "party": $0.partySize, "when": language.when($0.createdAt),
                "checkedIn": $0.checkedIn,
            ] as [String: Any]
        }
        view["checkIns"] = checkIns.map {
            ["group": t[text: "group_\($0.group.rawValue)"], "when": language.when($0.recordedAt), "self": $0.selfCheckIn, "rsvp": $0.rsvp]
                as [String: Any]
        }
        view["notice"] = notice ?? false
        view["sheetErrors"] = sheetErrors
        view["hasSheetErrors"] = !sheetErrors.isEmpty
        var values = view["values"] as? [String: Any] ?? [:]
        values["sheet"] = form?["sheet"] ?? ""
        view["values"] = values
        let status: HTTPResponse.Status = errors.isEmpty && sheetErrors.isEmpty ? .ok : .unprocessableContent
        return try await web.page("event", view, request: request, language: language, status: status, form: true)
    }

    /// A headcount (one row per group with a number), a check-in, or a pasted sign-in sheet (all
    /// rows or none, errors by line).
    func record(_ request: Request, _ principal: Principal, eventID: Int64, action: String) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let form = FormFields(try await request.body.collect(upTo: 4 * 1024 * 1024), contentType: request.headers[.contentType])
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await event(request, id: eventID, notice: nil, form: form, errors: ["form": "error_session"], sheetErrors: [])
        }
        do {
            try Access.reach(try await web.database.connection { try await Events().event(id: eventID, on: $0) })
        } catch let error as EngagementError where error.code == .notFound {
            return try await web.notFound(request, language)
        }
        do {
            switch action {
            case "headcount":
                try await web.database.transaction { db in
                    for group in StakeholderGroup.allCases {
                        guard let text = form["count_\(group.rawValue)"] else { continue }
                        guard let count = Int(text) else { throw EngagementError.invalid("count", "must be a whole number") }
                        _ = try await Events().recordAttendance(
                            eventID: eventID,
                            .init(kind: "headcount", group: group, count: count, contact: nil),
                            recordedBy: principal.tokenID,
                            on: db
                        )
                    }
                }
                return try await event(request, id: eventID, notice: t[text: "saved"], form: nil, errors: [:], sheetErrors: [])
            case "checkin":
                guard let group = form["group"].flatMap(StakeholderGroup.init(rawValue:)) else {
                    return try await event(request, id: eventID, notice: nil, form: form, errors: ["group": "error_group"], sheetErrors: [])
                }
                _ = try await web.database.transaction { db in
                    try await Events().recordAttendance(
                        eventID: eventID,
                        .init(kind: "checkin", group: group, count: 1, contact: WebPages.contact(form)),
                        recordedBy: principal.tokenID,
                        on: db
                    )
                }
                return try await event(request, id: eventID, notice: t[text: "saved"], form: nil, errors: [:], sheetErrors: [])
            case "sheet":
                // An uploaded file, else the pasted text.
                let upload = form.files["sheet_file"].flatMap { $0.isEmpty ? nil : $0 }
                do {
                    let sheet = try SignInSheet(stream: InputStream(data: upload.map { Data($0) } ?? Data((form.fields["sheet"]?.first ?? "").utf8)))
                    let count = try await web.database.transaction { try await sheet.importAttendance(eventID: eventID, on: $0) }
                    return try await event(request, id: eventID, notice: "\(count) \(t[text: "imported"])", form: nil, errors: [:], sheetErrors: [])
                } catch let rejected as SignInSheet.Rejected {
                    return try await event(
                        request,
                        id: eventID,
                        notice: nil,
                        form: form,
                        errors: [:],
                        sheetErrors: rejected.errors.prefix(50).map(\.description)
                    )
                }
            default:
                return try await web.notFound(request, language)
            }
        } catch let error as EngagementError where error.code == .invalid {
            let field = error.fields.first.map { WebPages.formField($0.field) } ?? "form"
            return try await event(request, id: eventID, notice: nil, form: form, errors: [field: WebPages.message(field)], sheetErrors: [])
        } catch let error as EngagementError where error.code == .notFound {
            return try await web.notFound(request, language)
        }
    }

    /// "2026-11-27 18:00" or "2026-11-27T18:00", UTC.
    /// A `datetime-local` value (no zone: the district's clock, as the liaison sees it).
    static func parseTime(_ text: String, in zone: TimeZone) -> Date? {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = zone
        format.isLenient = false
        let normalized = text.replacingOccurrences(of: " ", with: "T")
        for pattern in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"] {
            format.dateFormat = pattern
            if let date = format.date(from: normalized) { return date }
        }
        return nil
    }
}
