import Engagement
import Foundation
import Hummingbird
import InputParsing

/// The console's events (issue 14): those in the person's reach, a new one, one edited (title
/// in every language, kind, initiatives, school, place, times on the district's clock,
/// capacity), cancelled with a reason, or deleted while nobody was recorded at it. Attendance
/// is taken on the liaison pages. Every change goes through the API's `edit`.
extension ConsolePages {
    func addEventRoutes(to pages: RouterGroup<ChorusContext>) {
        addRecordRoutes(
            to: pages,
            "events",
            show: { request, staff, id in try await consoleEvents(request, staff, id: id, form: nil, errors: []) },
            save: { request, staff, id in try await saveEvent(request, staff, id: id) },
            action: { request, staff, id, verb in try await eventAction(request, staff, id: id, action: verb) }
        )
    }

    /// The list, with the form below: a new event, or (`id`) the one being edited.
    func consoleEvents(
        _ request: Request,
        _ staff: Staff,
        id: Int64?,
        form: FormFields?,
        errors: [String],
        notice: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let scope = staff.principal.scope
        let (events, initiatives, schools, editing) = try await web.database.snapshot { db in
            (
                try await Events().events(.init(limit: 100, scope: scope), on: db).items,
                try await ReferenceData().allInitiatives(on: db).filter { scope.covers(initiatives: [$0.id]) },
                try await ReferenceData().allSchools(on: db).filter { scope.covers(school: $0.id) },
                id == nil ? nil : try? await Events().event(id: id ?? 0, on: db)
            )
        }
        if id != nil {
            guard let found = editing, scope.covers(school: found.schoolID, initiatives: found.initiativeIDs) else {
                return try await web.notFound(request, language)
            }
        }
        let event = editing
        let zone = language.timeZone
        func value(_ field: String, _ stored: String?) -> String { form?[field] ?? stored ?? "" }
        let chosen = Set(form.map { $0.all("initiative_id") } ?? event?.initiativeIDs.map(String.init) ?? [])
        let school = value("school_id", event?.schoolID.map(String.init))
        let kind = value("kind", event?.kind ?? "family_night")
        let view: [String: Any] = [
            "title": event.map { language.text($0.title).text } ?? t[text: "events"], "editing": event != nil, "id": event?.id ?? 0,
            "canChange": AccessTable.rules["POST /console/events"]?.allows(staff.principal.role) == true,
            "events": events.map { item -> [String: Any] in
                [
                    "id": item.id, "title": language.text(item.title).text, "when": language.when(item.startsAt, zone: true),
                    "cancelled": item.cancelledAt != nil, "attended": item.attendanceTotal,
                ]
            },
            "titles": language.district.languages.map { code -> [String: Any] in
                let text = value("title_\(code)", event?.title[code])
                return [
                    "name": "title_\(code)", "code": code, "value": text, "missing": text.isEmpty && event != nil,
                    "languageName": web.strings.strings(code, fallback: code)[text: "language_name"],
                ]
            },
            "kinds": LiaisonPages.eventKinds.map { ["value": $0, "label": t[text: "kind_\($0)"], "selected": kind == $0] },
            "initiatives": initiatives.map {
                ["id": $0.id, "title": language.text($0.title).text, "checked": chosen.contains(String($0.id))] as [String: Any]
            },
            "schools": schools.map { ["id": $0.id, "name": $0.name, "selected": school == String($0.id)] as [String: Any] },
            "districtWide": scope.schools == nil,
            "location": value("location", event?.location),
            "startsAt": value("starts_at", event.map { Self.local($0.startsAt, zone) }),
            "endsAt": value("ends_at", event.map { Self.local($0.endsAt, zone) }),
            "capacity": value("capacity", event?.capacity.map(String.init)), "zone": zone.identifier,
            "eventLanguages": value("languages", event?.languages.joined(separator: ", ")),
            "reminderHours": value("reminder_hours", event == nil ? "24" : event?.reminderHours.map(String.init)),
            "version": try event.map { try API.etag($0.schema(language.district.languageSet)) } ?? "",
            "cancelled": event?.cancelledAt != nil, "reason": event?.cancelReason ?? "",
            "canDelete": event.map { $0.attendanceTotal == 0 && $0.cancelledAt == nil } ?? false,
            "notice": notice ?? false,
            "hasErrors": !errors.isEmpty, "errors": errors.map { ["target": "edit", "message": $0] },
        ]
        return try await web.page("console-events", view, request: request, language: language, status: status, form: true)
    }

    func saveEvent(_ request: Request, _ staff: Staff, id: Int64?) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        let language = try await web.pageLanguage(request)
        let t = language.strings
        func again(_ message: String, _ status: HTTPResponse.Status) async throws -> Response {
            try await consoleEvents(request, staff, id: id, form: form, errors: [message], status: status)
        }
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await again(t[text: "error_session"], .forbidden)
        }
        var title: [String: String] = [:]
        for code in language.district.languages {
            if let text = form["title_\(code)"]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty { title[code] = text }
        }
        guard let starts = form["starts_at"].flatMap({ LiaisonPages.parseTime($0, in: language.timeZone) }),
            let ends = form["ends_at"].flatMap({ LiaisonPages.parseTime($0, in: language.timeZone) })
        else { return try await again(t[text: "console_error_time"], .unprocessableContent) }
        let capacityText = form["capacity"] ?? ""
        let capacity = Int(capacityText)
        if !capacityText.isEmpty && capacity == nil { return try await again(t[text: "console_error_check"] + " capacity", .unprocessableContent) }
        let reminderText = form["reminder_hours"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let reminderHours = Int(reminderText)
        if !reminderText.isEmpty && reminderHours == nil {
            return try await again(t[text: "console_error_check"] + " reminder_hours", .unprocessableContent)
        }
        let languages = (form["languages"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let fields = Events.EventFields(
            title: Translated(title),
            kind: form["kind"].flatMap { LiaisonPages.eventKinds.contains($0) ? $0 : nil } ?? "other",
            initiativeIDs: form.all("initiative_id").compactMap { Int64($0) },
            schoolID: form["school_id"].flatMap { Int64($0) },
            location: form["location"].flatMap { $0.isEmpty ? nil : $0 },
            startsAt: starts,
            endsAt: ends,
            capacity: capacity,
            languages: languages,
            reminderHours: reminderHours
        )
        // The new or edited event must stay inside the person's reach.
        guard staff.principal.scope.covers(school: fields.schoolID, initiatives: fields.initiativeIDs) else {
            return try await again(t[text: "error_event"], .forbidden)
        }
        do {
            let saved: Int64
            if let id {
                _ = try await api.edit("update", API.event, id: id, ifMatch: form["version"] ?? "") { event, db in
                    try await Events().update(id: event.id, fields, on: db)
                }
                saved = id
            } else {
                saved = try await web.database.transaction { db in
                    let made = try await Events().create(fields, recordedBy: nil, on: db)
                    try await Access.audit("create", "event", id: made.id, old: nil as Int?, new: made.schema(language.district.languageSet), on: db)
                    return made.id
                }
            }
            return Response(status: .seeOther, headers: [.location: "/console/events/\(saved)?lang=\(language.code)"])
        } catch let error as EngagementError {
            return try await again(Self.words(error, t), Self.status(error))
        }
    }

    func eventAction(_ request: Request, _ staff: Staff, id: Int64, action: String) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        let language = try await web.pageLanguage(request)
        let t = language.strings
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await consoleEvents(request, staff, id: id, form: nil, errors: [t[text: "error_session"]], status: .forbidden)
        }
        do {
            switch action {
            case "cancel":
                _ = try await api.edit("cancel", API.event, id: id, ifMatch: nil) {
                    try await Events().cancel(id: $0.id, reason: (form["reason"] ?? "").trimmingCharacters(in: .whitespaces), on: $1)
                }
                return try await consoleEvents(request, staff, id: id, form: nil, errors: [], notice: t[text: "saved"])
            case "delete":
                _ = try await api.edit("delete", API.event, id: id, ifMatch: nil) { event, db in
                    try await Events().delete(id: event.id, on: db)
                    return nil
                }
                return Response(status: .seeOther, headers: [.location: "/console/events?lang=\(language.code)"])
            default:
                return try await web.notFound(request, language)
            }
        } catch let error as EngagementError where error.code == .notFound {
            return try await web.notFound(request, language)
        } catch let error as EngagementError {
            return try await consoleEvents(request, staff, id: id, form: nil, errors: [Self.words(error, t)], status: Self.status(error))
        }
    }

    /// What stopped a change, in words on a console page.
    static func words(_ error: EngagementError, _ t: [String: String]) -> String {
        switch error.code {
        case .changed: t[text: "console_error_changed"]
        case .conflict: t[text: "console_error_conflict"] + " " + error.detail
        case .forbidden: t[text: "error_event"]
        default: t[text: "console_error_check"] + " " + error.fields.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        }
    }

    static func status(_ error: EngagementError) -> HTTPResponse.Status {
        switch error.code {
        case .changed: .preconditionFailed
        case .conflict: .conflict
        case .forbidden: .forbidden
        case .notFound: .notFound
        default: .unprocessableContent
        }
    }
}
