import Engagement
import Foundation
import Hummingbird
import InputParsing

/// The console's survey invitations (issue 16, build 7): upload a contact list (CSV with a
/// consent column; rows without consent are left out), send reminders to those who have not
/// answered, and read the response rate. The page shows counts only, never a contact.
extension ConsolePages {
    func addInvitationRoutes(to pages: RouterGroup<ChorusContext>) {
        pages.get("invitations/:id") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request, "GET /console/invitations/{id}", context) { staff in
                try await invitations(request, staff, surveyID: id, notice: nil, errors: [])
            }
        }
        pages.post("invitations/:id") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request, "POST /console/invitations/{id}", context) { staff in
                try await invite(request, staff, surveyID: id, remind: false)
            }
        }
        pages.post("invitations/:id/remind") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request, "POST /console/invitations/{id}/remind", context) { staff in
                try await invite(request, staff, surveyID: id, remind: true)
            }
        }
    }

    func invitations(
        _ request: Request,
        _ staff: Staff,
        surveyID: Int64,
        notice: String?,
        errors: [String],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        guard let (survey, rate) = try await reachableSurvey(surveyID, staff) else { return try await web.notFound(request, language) }
        let view: [String: Any] = [
            "title": t[text: "invitations_title"] + " — " + language.text(survey.title).text,
            "surveyTitle": language.view(survey.title), "surveyID": survey.id, "anonymous": survey.anonymous,
            "invited": language.number(rate.invited), "responded": language.number(rate.responded),
            "percent": rate.percent.map { String(format: "%.0f%%", $0) } ?? "—",
            "notice": notice ?? false, "hasErrors": !errors.isEmpty, "errors": errors.map { ["target": "contacts", "message": $0] },
        ]
        return try await web.page("console-invitations", view, request: request, language: language, status: status, form: true)
    }

    func invite(_ request: Request, _ staff: Staff, surveyID: Int64, remind: Bool) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 4 * 1024 * 1024), contentType: request.headers[.contentType])
        let language = try await web.pageLanguage(request)
        let t = language.strings
        func again(_ errors: [String], _ status: HTTPResponse.Status) async throws -> Response {
            try await invitations(request, staff, surveyID: surveyID, notice: nil, errors: errors, status: status)
        }
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await again([t[text: "error_session"]], .forbidden)
        }
        guard try await reachableSurvey(surveyID, staff) != nil else { return try await web.notFound(request, language) }
        let actor = try Access.caller().actor(requestID: Access.requestID)
        do {
            let notice: String
            if remind {
                let count = try await web.database.transaction { try await SurveyInvitations().remind(surveyID: surveyID, actor: actor, on: $0) }
                notice = t[text: "invitations_reminded"].replacingOccurrences(of: "{n}", with: language.number(count))
            } else {
                let text = [form["contacts_file"], form["contacts"]].compactMap { $0 }.first { !$0.isEmpty } ?? ""
                let (contacts, withoutConsent) = try SurveyInvitations.contacts(csv: text)
                let count = try await web.database.transaction {
                    try await SurveyInvitations().invite(
                        surveyID: surveyID,
                        contacts,
                        defaultLanguage: language.district.defaultLanguage,
                        actor: actor,
                        on: $0
                    )
                }
                notice = t[text: "invitations_sent"].replacingOccurrences(of: "{n}", with: language.number(count))
                    .replacingOccurrences(of: "{skipped}", with: language.number(withoutConsent))
            }
            return try await invitations(request, staff, surveyID: surveyID, notice: notice, errors: [])
        } catch let rejected as SignInSheet.Rejected {
            return try await again(rejected.errors.prefix(50).map(\.description), .unprocessableContent)
        } catch let error as EngagementError where error.code == .conflict || error.code == .invalid {
            return try await again([Self.words(error, t)], Self.status(error))
        }
    }

    /// The survey and its response rate, when it serves an initiative within the person's reach.
    func reachableSurvey(_ id: Int64, _ staff: Staff) async throws -> (Survey, SurveyInvitations.Rate)? {
        do {
            return try await web.database.snapshot { db in
                let survey = try await Surveys().survey(id: id, on: db)
                guard staff.principal.scope.covers(initiatives: [survey.initiativeID]) else { return nil }
                return (survey, try await SurveyInvitations().rate(surveyID: id, on: db))
            }
        } catch let error as EngagementError where error.code == .notFound {
            return nil
        }
    }
}
