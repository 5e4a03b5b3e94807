import Engagement
import Foundation
import Hummingbird
import InputParsing

/// The district's settings in the console (issues 11 and 14, admins): its name, the languages it
/// offers and the default one, its clock (IANA zone) and the day its school year starts. The
/// same checks as `chorus settings`; each change is audited with the values before and after.
extension ConsolePages {
    func addSettingsRoutes(to pages: RouterGroup<ChorusContext>) {
        pages.get("settings") { request, context in
            try await signedIn(request, "GET /console/settings", context) { _ in try await settings(request, form: nil, errors: []) }
        }
        pages.post("settings") { request, context in
            try await signedIn(request, "POST /console/settings", context) { try await saveSettings(request, $0) }
        }
    }

    func settings(
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
        let district = language.district
        func value(_ field: String, _ stored: String) -> String { form?[field] ?? stored }
        let view: [String: Any] = [
            "title": t[text: "district_settings"], "name": value("name", district.name), "timeZone": value("time_zone", district.timeZone),
            "languages": value("languages", district.languages.joined(separator: ", ")),
            "defaults": district.languages.map {
                ["code": $0, "name": web.strings.strings($0, fallback: $0)[text: "language_name"], "selected": $0 == district.defaultLanguage]
                    as [String: Any]
            },
            "month": value("month", String(district.schoolYearStart.month)), "day": value("day", String(district.schoolYearStart.day)),
            "notice": notice ?? false, "hasErrors": !errors.isEmpty, "errors": errors.map { ["target": "name", "message": $0] },
        ]
        return try await web.page("console-settings", view, request: request, language: language, status: status, form: true)
    }

    func saveSettings(_ request: Request, _ staff: Staff) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        let t = try await web.pageLanguage(request).strings
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await settings(request, form: form, errors: [t[text: "error_session"]], status: .forbidden)
        }
        guard let month = form["month"].flatMap({ Int($0) }), let day = form["day"].flatMap({ Int($0) }) else {
            return try await settings(
                request,
                form: form,
                errors: [t[text: "console_error_check"] + " school_year_start"],
                status: .unprocessableContent
            )
        }
        let languages = (form["languages"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        do {
            try await web.database.transaction { db in
                let before = try await DistrictSettings.current(on: db)
                let after = try await DistrictSettings.update(
                    .init(
                        name: form["name"],
                        timeZone: form["time_zone"]?.trimmingCharacters(in: .whitespaces),
                        languages: languages,
                        defaultLanguage: form["default_language"],
                        schoolYearStart: .init(month: month, day: day)
                    ),
                    actor: staff.principal.label,
                    on: db
                )
                if after != before { try await Access.audit("update", "district_settings", id: 1, old: before, new: after, on: db) }
            }
        } catch let error as EngagementError where error.code == .invalid {
            let fields = error.fields.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
            return try await settings(request, form: form, errors: [t[text: "console_error_check"] + " " + fields], status: .unprocessableContent)
        }
        // The page again in the language it was asked in, with the settings as they are now.
        return try await settings(request, form: nil, errors: [], notice: t[text: "saved"])
    }
}
