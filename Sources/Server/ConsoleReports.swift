import Engagement
import Foundation
import Hummingbird
import InputParsing

/// The console's side of "you said, we did" (issue 17): milestones and their progress, and
/// updates linked to themes and published comments, for the public initiative page. Followers
/// are emailed by the outbox when an update is posted or a milestone moves.
extension ConsolePages {
    func addReportRoutes(to pages: RouterGroup<ChorusContext>) {
        pages.get("initiatives/:id/report") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request, "GET /console/initiatives/{id}/report", context) {
                try await report(request, $0, initiativeID: id, notice: nil, errors: [])
            }
        }
        pages.post("initiatives/:id/report") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request, "POST /console/initiatives/{id}/report", context) {
                try await changeReport(request, $0, initiativeID: id)
            }
        }
    }

    func report(
        _ request: Request,
        _ staff: Staff,
        initiativeID: Int64,
        notice: String?,
        errors: [String],
        status: HTTPResponse.Status = .ok
    )
        async throws -> Response
    {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let found = try await web.database.snapshot { db in
            (
                try await ReferenceData().allInitiatives(on: db).first { $0.id == initiativeID },
                try await InitiativeReports().milestones(initiativeID: initiativeID, on: db),
                try await InitiativeReports().updates(initiativeID: initiativeID, on: db),
                try await InitiativeReports().publishedComments(initiativeID: initiativeID, on: db)
            )
        }
        guard let initiative = found.0, staff.principal.scope.covers(initiatives: [initiativeID]) else {
            return try await web.notFound(request, language)
        }
        let view: [String: Any] = [
            "title": t[text: "report_title"] + " — " + language.text(initiative.title).text, "id": initiativeID, "slug": initiative.slug,
            "milestones": found.1.map { milestone -> [String: Any] in
                ["id": milestone.id, "title": language.view(milestone.title), "percent": milestone.percentComplete, "due": milestone.dueOn ?? ""]
            },
            "updates": found.2.map {
                ["title": language.view($0.title), "posted": language.day($0.postedAt), "themes": $0.themes.joined(separator: ", ")]
            },
            "published": found.3.map { ["id": $0.caseID, "comment": String($0.comment.prefix(120)), "lang": $0.language] },
            "hasPublished": !found.3.isEmpty,
            "titleFields": languageFields("title", nil, language), "bodyFields": languageFields("body", nil, language),
            "milestoneFields": languageFields("milestone", nil, language),
            "themeList": initiative.slug,
            "canChange": AccessTable.rules["POST /console/initiatives/{id}/report"]?.allows(staff.account.role) == true,
            "notice": notice ?? false, "hasErrors": !errors.isEmpty, "errors": errors.map { ["target": "milestones", "message": $0] },
        ]
        return try await web.page("console-report", view, request: request, language: language, status: status, form: true)
    }

    func changeReport(_ request: Request, _ staff: Staff, initiativeID: Int64) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        let language = try await web.pageLanguage(request)
        let t = language.strings
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await report(request, staff, initiativeID: initiativeID, notice: nil, errors: [t[text: "error_session"]], status: .forbidden)
        }
        guard staff.principal.scope.covers(initiatives: [initiativeID]),
            try await web.database.connection({ try await ReferenceData().allInitiatives(on: $0) }).contains(where: { $0.id == initiativeID })
        else { return try await web.notFound(request, language) }
        func translated(_ name: String) -> Translated {
            Translated(
                Dictionary(uniqueKeysWithValues: language.district.languages.compactMap { code in form["\(name)_\(code)"].map { (code, $0) } })
            )
        }
        func percent() throws -> Int {
            guard let value = form["percent"].flatMap({ Int($0) }) else {
                throw EngagementError.invalid("percent_complete", "must be a whole number 0–100")
            }
            return value
        }
        let actor = try Access.caller().actor(requestID: Access.requestID)
        let reports = InitiativeReports()
        do {
            try await web.database.transaction { db in
                switch form["do"] {
                case "milestone":
                    try await reports.addMilestone(
                        initiativeID: initiativeID,
                        title: translated("milestone"),
                        dueOn: form["due_on"],
                        percent: try percent(),
                        actor: actor,
                        on: db
                    )
                case "progress":
                    guard let milestone = form["milestone_id"].flatMap({ Int64($0) }) else {
                        throw EngagementError.invalid("milestone_id", "choose one")
                    }
                    try await reports.progress(milestone, initiativeID: initiativeID, percent: try percent(), actor: actor, on: db)
                case "update":
                    let themes = (form["themes"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    try await reports.post(
                        initiativeID: initiativeID,
                        title: translated("title"),
                        body: translated("body"),
                        themes: themes,
                        caseIDs: form.all("case").compactMap { Int64($0) },
                        actor: actor,
                        on: db
                    )
                default: throw EngagementError.invalid("do", "must be milestone, progress or update")
                }
            }
        } catch let error as EngagementError where error.code == .invalid || error.code == .notFound || error.code == .conflict {
            return try await report(
                request,
                staff,
                initiativeID: initiativeID,
                notice: nil,
                errors: [Self.words(error, t)],
                status: Self.status(error)
            )
        }
        return try await report(request, staff, initiativeID: initiativeID, notice: t[text: "case_saved"], errors: [])
    }
}
