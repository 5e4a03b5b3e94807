import Engagement
import Foundation
import Hummingbird
import InputParsing

/// The console's schools (issue 14, admins): the list, one school added or changed by its code,
/// and a CSV of code, name, cluster, level and enrollment imported all or nothing, with every
/// bad line listed by number.
extension ConsolePages {
    func addSchoolRoutes(to pages: RouterGroup<ChorusContext>) {
        pages.get("schools") { request, context in
            try await signedIn(request, "GET /console/schools", context) { _ in try await consoleSchools(request, form: nil, errors: []) }
        }
        pages.post("schools") { request, context in
            try await signedIn(request, "POST /console/schools", context) { try await saveSchool(request, $0) }
        }
        pages.post("schools/import") { request, context in
            try await signedIn(request, "POST /console/schools/import", context) { try await importSchools(request, $0) }
        }
    }

    func consoleSchools(
        _ request: Request,
        form: FormFields?,
        errors: [String],
        notice: String? = nil,
        status: HTTPResponse.Status = .ok
    )
        async throws -> Response
    {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let schools = try await web.database.connection { try await ReferenceData().allSchools(on: $0) }
        let level = form?["level"] ?? "elementary"
        let view: [String: Any] = [
            "title": t[text: "schools"],
            "schools": schools.map {
                ["code": $0.code, "name": $0.name, "cluster": $0.cluster, "level": t[text: "level_\($0.level)"], "enrollment": $0.enrollment]
                    as [String: Any]
            },
            "levels": ["elementary", "middle", "high", "k8", "other"].map {
                ["value": $0, "label": t[text: "level_\($0)"], "selected": level == $0]
            },
            "values": [
                "code": form?["code"] ?? "", "name": form?["name"] ?? "", "cluster": form?["cluster"] ?? "", "enrollment": form?["enrollment"] ?? "",
            ],
            "sheet": form?["sheet"] ?? "",
            "notice": notice ?? false, "hasErrors": !errors.isEmpty, "errors": errors.map { ["target": "sheet", "message": $0] },
        ]
        return try await web.page("console-schools", view, request: request, language: language, status: status, form: true)
    }

    func saveSchool(_ request: Request, _ staff: Staff) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        let t = try await web.pageLanguage(request).strings
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await consoleSchools(request, form: form, errors: [t[text: "error_session"]], status: .forbidden)
        }
        let enrollment = form["enrollment"].flatMap { Int($0) }
        let fields = ReferenceData.SchoolFields(
            code: form["code"]?.trimmingCharacters(in: .whitespaces),
            name: form["name"]?.trimmingCharacters(in: .whitespaces),
            cluster: form["cluster"]?.trimmingCharacters(in: .whitespaces),
            level: form["level"].flatMap { ["elementary", "middle", "high", "k8", "other"].contains($0) ? $0 : nil } ?? "other",
            enrollment: enrollment
        )
        guard enrollment != nil else {
            return try await consoleSchools(
                request,
                form: form,
                errors: [t[text: "console_error_check"] + " enrollment"],
                status: .unprocessableContent
            )
        }
        do {
            let existing = try await web.database.connection { db in
                try await ReferenceData().allSchools(on: db).first { $0.code == fields.code }
            }
            if let existing {
                _ = try await api.edit("update", API.school, id: existing.id, ifMatch: nil) { _, db in
                    try await ReferenceData().updateSchool(id: existing.id, fields, on: db)
                }
            } else {
                try await web.database.transaction { db in
                    let made = try await ReferenceData().createSchool(fields, on: db)
                    try await Access.audit("create", "school", id: made.id, old: nil, new: made.schema, on: db)
                }
            }
            return try await consoleSchools(request, form: nil, errors: [], notice: t[text: "saved"])
        } catch let error as EngagementError {
            return try await consoleSchools(request, form: form, errors: [Self.words(error, t)], status: Self.status(error))
        }
    }

    func importSchools(_ request: Request, _ staff: Staff) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 4 * 1024 * 1024), contentType: request.headers[.contentType])
        let t = try await web.pageLanguage(request).strings
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await consoleSchools(request, form: form, errors: [t[text: "error_session"]], status: .forbidden)
        }
        // An uploaded file, else the pasted text.
        let upload = form.files["sheet_file"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            let sheet = try SchoolSheet(stream: InputStream(data: upload.map { Data($0) } ?? Data((form["sheet"] ?? "").utf8)))
            let (added, updated) = try await web.database.transaction {
                try await sheet.importSchools(by: staff.principal.actor(requestID: Access.requestID), on: $0)
            }
            return try await consoleSchools(request, form: nil, errors: [], notice: "\(added + updated) \(t[text: "imported"]) (+\(added))")
        } catch let rejected as SignInSheet.Rejected {
            let lines = rejected.errors.prefix(50).map(\.description)
            return try await consoleSchools(request, form: form, errors: lines, status: .unprocessableContent)
        } catch let error as EngagementError {
            return try await consoleSchools(request, form: form, errors: [Self.words(error, t)], status: Self.status(error))
        }
    }
}
