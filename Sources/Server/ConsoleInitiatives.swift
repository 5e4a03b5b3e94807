import Engagement
import Foundation
import Hummingbird
import InputParsing

/// The console's initiatives (issue 14): the list, a new one, and one edited — title and
/// description in every language (missing ones flagged), goal, owner, status, dates, theme
/// keywords. Edits go through the API's `edit` (reach, audit) like every other change.
extension ConsolePages {
    func addInitiativeRoutes(to pages: RouterGroup<ChorusContext>) {
        pages.get("initiatives") { request, context in
            try await signedIn(request, "GET /console/initiatives", context) { try await initiatives(request, $0, id: nil, form: nil, errors: [:]) }
        }
        pages.post("initiatives") { request, context in
            try await signedIn(request, "POST /console/initiatives", context) { try await saveInitiative(request, $0, id: nil) }
        }
        pages.get("initiatives/:id") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request, "GET /console/initiatives/{id}", context) {
                try await initiatives(request, $0, id: id, form: nil, errors: [:])
            }
        }
        pages.post("initiatives/:id") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request, "POST /console/initiatives/{id}", context) { try await saveInitiative(request, $0, id: id) }
        }
    }

    static let statuses = ["planned", "active", "paused", "completed"]

    /// The list with a form below it: a new initiative, or (`id`) the one being edited.
    func initiatives(
        _ request: Request,
        _ staff: Staff,
        id: Int64?,
        form: FormFields?,
        errors: [String: String],
        notice: String? = nil
    )
        async throws -> Response
    {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let notice = notice ?? (request.uri.queryParameters["saved"] == "1" ? t[text: "saved"] : nil)
        let (all, goals, accounts) = try await web.database.snapshot { db in
            (
                try await ReferenceData().allInitiatives(on: db), try await ReferenceData().goals(on: db),
                try await StaffAccounts().accounts(on: db)
            )
        }
        let editing = id.flatMap { id in all.first { $0.id == id } }
        if id != nil && (editing == nil || staff.principal.scope.covers(initiatives: [id ?? 0]) == false) {
            return try await web.notFound(request, language)
        }
        let owners = accounts.filter { $0.active && ($0.role == .admin || $0.role == .coordinator) }
        let names = Dictionary(uniqueKeysWithValues: accounts.map { ($0.id, $0.name) })
        func value(_ field: String, _ stored: String?) -> String { form?[field] ?? stored ?? "" }
        func texts(_ name: String, _ stored: Translated?) -> [[String: Any]] { languageFields(name, stored, language, form: form) }
        let goal = value("goal_id", editing?.goalID.map(String.init))
        let owner = value("owner_account_id", editing?.ownerAccountID.map(String.init))
        let status = value("status", editing?.status ?? "active")
        let view: [String: Any] = [
            "title": editing.map { language.text($0.title).text } ?? t[text: "console_initiatives"],
            "editing": editing != nil, "id": editing?.id ?? 0,
            "canCreate": AccessTable.rules["POST /console/initiatives"]?.allows(staff.principal.role) == true,
            "canSave": editing == nil || AccessTable.rules["POST /console/initiatives/{id}"]?.allows(staff.principal.role) == true,
            "initiatives": all.map { initiative -> [String: Any] in
                [
                    "id": initiative.id, "title": language.text(initiative.title).text, "status": t[text: "status_\(initiative.status)"],
                    "owner": initiative.ownerAccountID.flatMap { names[$0] } ?? "—",
                    "missing": !language.district.languageSet.missing(in: [initiative.title]).isEmpty,
                ]
            },
            "titles": texts("title", editing?.title), "descriptions": texts("description", editing?.description),
            "slug": value("slug", editing?.slug),
            "goals": goals.map { ["id": $0.id, "title": language.text($0.title).text, "selected": goal == String($0.id)] as [String: Any] },
            "owners": owners.map { ["id": $0.id, "name": $0.name, "selected": owner == String($0.id)] as [String: Any] },
            "statuses": Self.statuses.map { ["value": $0, "label": t[text: "status_\($0)"], "selected": status == $0] },
            "startsOn": value("starts_on", editing?.startsOn), "endsOn": value("ends_on", editing?.endsOn),
            "keywords": value("keywords", editing?.themeKeywords.joined(separator: ", ")),
            "targets": [
                ("target_reach", editing?.targets.reachPer100), ("target_voice", editing?.targets.voicePer100),
                ("target_participation", editing?.targets.participationRate), ("target_hours", editing?.targets.volunteerHours),
            ].map { name, stored -> [String: Any] in
                ["name": name, "label": t[text: name], "value": value(name, stored.map { $0.formatted(.number.grouping(.never)) })]
            },
            "notice": notice ?? false,
            "hasErrors": !errors.isEmpty,
            "errors": errors.sorted { $0.key < $1.key }.map { ["target": $0.key, "message": t[text: $0.value]] },
        ]
        return try await web.page(
            "console-initiatives",
            view,
            request: request,
            language: language,
            status: errors.isEmpty ? .ok : .unprocessableContent,
            form: true
        )
    }

    func saveInitiative(_ request: Request, _ staff: Staff, id: Int64?) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await initiatives(request, staff, id: id, form: form, errors: ["title": "error_session"])
        }
        let language = try await web.pageLanguage(request)
        func translated(_ name: String) -> Translated { Self.translated(form, name, language) }
        func optional(_ name: String) -> String? { form[name].flatMap { $0.isEmpty ? nil : $0 } }
        // Targets: a number, or empty for none; anything else is refused with the field named.
        var targets: [String: Double] = [:]
        for name in ["target_reach", "target_voice", "target_participation", "target_hours"] {
            let text = (form[name] ?? "").trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            guard let number = Double(text), number.isFinite else {
                return try await initiatives(request, staff, id: id, form: form, errors: [name: "console_error_check"])
            }
            targets[name] = number
        }
        let keywords = (form["keywords"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let fields = ReferenceData.InitiativeFields(
            slug: id == nil ? form["slug"] ?? "" : nil,
            title: translated("title"),
            description: translated("description"),
            goalID: optional("goal_id").flatMap { Int64($0) },
            status: form["status"].flatMap { Self.statuses.contains($0) ? $0 : nil },
            startsOn: optional("starts_on"),
            endsOn: optional("ends_on"),
            themeKeywords: keywords,
            targets: Targets(
                reachPer100: targets["target_reach"],
                voicePer100: targets["target_voice"],
                participationRate: targets["target_participation"],
                volunteerHours: targets["target_hours"]
            ),
            ownerAccountID: optional("owner_account_id").flatMap { Int64($0) }
        )
        do {
            let saved: Int64
            if let id {
                _ = try await api.edit("update", API.initiative, id: id, ifMatch: nil) { _, db in
                    try await ReferenceData().updateInitiative(id: id, fields, on: db)
                }
                saved = id
            } else {
                saved = try await web.database.transaction { db in
                    let made = try await ReferenceData().createInitiative(fields, on: db)
                    try await Access.audit(
                        "create",
                        "initiative",
                        id: made.id,
                        old: nil as Int?,
                        new: made.schema(language.district.languageSet),
                        on: db
                    )
                    return made.id
                }
            }
            return Response(status: .seeOther, headers: [.location: "/console/initiatives/\(saved)?lang=\(language.code)&saved=1"])
        } catch let error as EngagementError where error.code == .invalid || error.code == .conflict {
            var errors: [String: String] = [:]
            for field in error.fields.map(\.field) {
                let control = field.split(separator: ".").first.map(String.init) ?? field
                errors[control == "title" ? "title_\(language.district.defaultLanguage)" : control] = "console_error_\(Self.messageKey(control))"
            }
            if errors.isEmpty { errors["slug"] = "console_error_slug" }
            return try await initiatives(request, staff, id: id, form: form, errors: errors)
        } catch let error as EngagementError where error.code == .notFound {
            return try await web.notFound(request, language)
        }
    }

    /// The message for a field the domain refused (each has a string in every language).
    static func messageKey(_ field: String) -> String {
        switch field {
        case "slug", "title", "description", "starts_on", "ends_on", "owner_account_id", "goal_id": field
        case "targets": "check"
        default: "check"
        }
    }
}
