import Engagement
import Foundation
import Hummingbird
import InputParsing

/// Volunteer hours (issue 16, build 5): the page the message after a shift links to, where the
/// volunteer reports their hours (the signed token is the authority, as on the cancel page), and
/// the console's list where coordinators approve them, correcting where needed (audited).
extension WebPages {
    func addHoursRoutes(to router: Router<ChorusContext>) {
        let pages = router.group().add(middleware: PageHeadersMiddleware())
        pages.get("/volunteer/hours/:token") { request, context in
            try await hoursPage(request, token: try context.parameters.require("token"), submitted: false)
        }
        pages.post("/volunteer/hours/:token") { request, context in
            try await hoursPage(request, token: try context.parameters.require("token"), submitted: true)
        }
    }

    func hoursPage(_ request: Request, token: String, submitted: Bool) async throws -> Response {
        let language = try await pageLanguage(request)
        let form = FormFields(try await request.body.collect(upTo: 4 * 1024))
        let tokens = try await database.connection { try await LinkTokens.load(on: $0) }
        guard let signupID = tokens.id(.reportHours, from: token),
            let report = try await database.connection({ try await VolunteerHours().report(signupID: signupID, on: $0) })
        else { return try await notFound(request, language) }
        guard report.open else { return try await message(request, language, "hours_closed_title", "hours_closed_text", status: .conflict) }
        var error: String?
        if submitted {
            let text = (form["hours"] ?? "").trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
            if let hours = Double(text), hours.isFinite {
                do {
                    try await database.transaction { try await VolunteerHours().reportHours(signupID: signupID, hours: hours, on: $0) }
                    return try await message(request, language, "hours_thanks_title", "hours_thanks_text", status: .ok)
                } catch let failure as EngagementError where failure.code == .invalid {
                    error = "error_hours"
                } catch let failure as EngagementError where failure.code == .conflict {
                    return try await message(request, language, "hours_closed_title", "hours_closed_text", status: .conflict)
                }
            } else {
                error = "error_hours"
            }
        }
        let t = language.strings
        let view: [String: Any] = [
            "title": t[text: "hours_title"], "shiftTitle": language.view(report.title), "when": language.span(report.startsAt, report.endsAt),
            "action": "\(request.uri.path)?lang=\(language.code)",
            "hours": form["hours"] ?? report.hoursReported.map { String(format: "%g", $0) } ?? "",
            "hasErrors": error != nil, "errors": error.map { [["target": "hours", "message": t[text: $0]]] } ?? [],
            "hoursError": error.map { t[text: $0] } ?? false,
        ]
        return try await page("hours", view, request: request, language: language, status: error == nil ? .ok : .unprocessableContent)
    }
}

extension ConsolePages {
    func addHoursRoutes(to pages: RouterGroup<ChorusContext>) {
        pages.get("hours") { request, context in
            try await signedIn(request, "GET /console/hours", context) { staff in try await hours(request, staff, notice: nil, errors: []) }
        }
        pages.post("hours/:id") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request, "POST /console/hours/{id}", context) { staff in try await approve(request, staff, signupID: id) }
        }
    }

    func hours(
        _ request: Request,
        _ staff: Staff,
        notice: String?,
        errors: [String],
        status: HTTPResponse.Status = .ok
    ) async throws
        -> Response
    {
        let language = try await web.pageLanguage(request)
        let pending = try await web.database.connection { try await VolunteerHours().pending(scope: staff.principal.scope, on: $0) }
        let view: [String: Any] = [
            "title": language.strings[text: "console_hours"],
            "pending": pending.map {
                [
                    "id": $0.signupID, "title": language.view($0.title), "when": language.span($0.startsAt, $0.endsAt),
                    "hours": String(format: "%g", $0.hoursReported),
                ] as [String: Any]
            },
            "notice": notice ?? false, "hasErrors": !errors.isEmpty, "errors": errors.map { ["target": "main", "message": $0] },
        ]
        return try await web.page("console-hours", view, request: request, language: language, status: status, form: true)
    }

    func approve(_ request: Request, _ staff: Staff, signupID: Int64) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        let t = try await web.pageLanguage(request).strings
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await hours(request, staff, notice: nil, errors: [t[text: "error_session"]], status: .forbidden)
        }
        guard let hours = Double((form["hours"] ?? "").replacingOccurrences(of: ",", with: ".")), hours.isFinite else {
            return try await hours(request, staff, notice: nil, errors: [t[text: "error_hours"]], status: .unprocessableContent)
        }
        do {
            let actor = try Access.caller().actor(requestID: Access.requestID)
            try await web.database.transaction { db in
                let approved = try await Volunteering().updateSignup(
                    id: signupID,
                    status: .attended,
                    hoursReported: nil,
                    hoursApproved: hours,
                    scope: staff.principal.scope,
                    on: db
                )
                try await Audit().record(
                    "approve_hours",
                    "signup",
                    id: "\(signupID)",
                    new: ["hours_approved": .number(approved.hoursApproved ?? hours)],
                    by: actor,
                    on: db
                )
            }
            return try await self.hours(request, staff, notice: t[text: "console_hours_saved"], errors: [])
        } catch let error as EngagementError where error.code == .invalid || error.code == .notFound || error.code == .conflict {
            return try await self.hours(request, staff, notice: nil, errors: [Self.words(error, t)], status: Self.status(error))
        }
    }
}
