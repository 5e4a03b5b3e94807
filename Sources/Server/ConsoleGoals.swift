import Engagement
import Foundation
import Hummingbird
import InputParsing

/// The console's district goals (issue 14, admins; everyone reads): the list, a new one, one
/// edited with its title and description in every language, and deleted while no initiative is
/// aligned with it. Edits go through the API's `edit`.
extension ConsolePages {
    func addGoalRoutes(to pages: RouterGroup<ChorusContext>) {
        addRecordRoutes(
            to: pages,
            "goals",
            show: { request, staff, id in try await goals(request, staff, id: id, errors: []) },
            save: { request, staff, id in try await saveGoal(request, staff, id: id) },
            action: { request, staff, id, verb in try await goalAction(request, staff, id: id, action: verb) }
        )
    }

    func goals(_ request: Request, _ staff: Staff, id: Int64?, errors: [String], status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let all = try await web.database.connection { try await ReferenceData().goals(on: $0) }
        let editing = id.flatMap { id in all.first { $0.id == id } }
        if id != nil && editing == nil { return try await web.notFound(request, language) }
        func texts(_ name: String, _ stored: Translated?) -> [[String: Any]] { languageFields(name, stored, language) }
        let view: [String: Any] = [
            "title": editing.map { language.text($0.title).text } ?? t[text: "goals"], "editing": editing != nil, "id": editing?.id ?? 0,
            "canChange": AccessTable.rules["POST /console/goals"]?.allows(staff.principal.role) == true,
            "goals": all.map { ["id": $0.id, "code": $0.code, "title": language.text($0.title).text] as [String: Any] },
            "titles": texts("title", editing?.title), "descriptions": texts("description", editing?.description),
            "version": try editing.map { try API.etag($0.schema(language.district.languageSet)) } ?? "",
            "hasErrors": !errors.isEmpty, "errors": errors.map { ["target": "edit", "message": $0] },
        ]
        return try await web.page("console-goals", view, request: request, language: language, status: status, form: true)
    }

    func saveGoal(_ request: Request, _ staff: Staff, id: Int64?) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        let language = try await web.pageLanguage(request)
        let t = language.strings
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await goals(request, staff, id: id, errors: [t[text: "error_session"]], status: .forbidden)
        }
        func translated(_ name: String) -> Translated { Self.translated(form, name, language) }
        do {
            let saved: Int64
            if let id {
                _ = try await api.edit("update", API.goal, id: id, ifMatch: form["version"] ?? "") {
                    try await ReferenceData().updateGoal(id: $0.id, title: translated("title"), description: translated("description"), on: $1)
                }
                saved = id
            } else {
                saved = try await web.database.transaction { db in
                    let made = try await ReferenceData().createGoal(
                        code: (form["code"] ?? "").trimmingCharacters(in: .whitespaces),
                        title: translated("title"),
                        description: translated("description"),
                        on: db
                    )
                    try await Access.audit("create", "goal", id: made.id, old: nil, new: made.schema(language.district.languageSet), on: db)
                    return made.id
                }
            }
            return Response(status: .seeOther, headers: [.location: "/console/goals/\(saved)?lang=\(language.code)"])
        } catch let error as EngagementError where error.code == .notFound {
            return try await web.notFound(request, language)
        } catch let error as EngagementError {
            return try await goals(request, staff, id: id, errors: [Self.words(error, t)], status: Self.status(error))
        }
    }

    func goalAction(_ request: Request, _ staff: Staff, id: Int64, action: String) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        let language = try await web.pageLanguage(request)
        let t = language.strings
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await goals(request, staff, id: id, errors: [t[text: "error_session"]], status: .forbidden)
        }
        guard action == "delete" else { return try await web.notFound(request, language) }
        do {
            _ = try await api.edit("delete", API.goal, id: id, ifMatch: nil) { goal, db in
                try await ReferenceData().deleteGoal(id: goal.id, on: db)
                return nil
            }
            return Response(status: .seeOther, headers: [.location: "/console/goals?lang=\(language.code)"])
        } catch let error as EngagementError where error.code == .notFound {
            return try await web.notFound(request, language)
        } catch let error as EngagementError {
            return try await goals(request, staff, id: id, errors: [Self.words(error, t)], status: Self.status(error))
        }
    }
}
