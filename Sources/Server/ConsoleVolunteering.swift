import Engagement
import Foundation
import Hummingbird
import InputParsing

/// The console's volunteer opportunities and shifts (issue 14): those in reach, a new
/// opportunity with its first shift, one edited (title and description in every language,
/// school), shifts added, resized or moved, and opportunities or shifts cancelled with a reason.
/// Every change goes through the API's `edit`.
extension ConsolePages {
    func addVolunteeringRoutes(to pages: RouterGroup<ChorusContext>) {
        addRecordRoutes(
            to: pages,
            "opportunities",
            show: { request, staff, id in try await opportunities(request, staff, id: id, errors: []) },
            save: { request, staff, id in try await saveOpportunity(request, staff, id: id) },
            action: { request, staff, id, verb in try await volunteeringAction(request, staff, id: id, action: verb) }
        )
    }

    func opportunities(
        _ request: Request,
        _ staff: Staff,
        id: Int64?,
        errors: [String],
        notice: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let scope = staff.principal.scope
        let (all, initiatives, schools) = try await web.database.snapshot { db in
            (
                try await Volunteering().opportunities(initiativeID: nil, on: db).filter {
                    scope.covers(school: $0.schoolID, initiatives: [$0.initiativeID])
                },
                try await ReferenceData().allInitiatives(on: db).filter { scope.covers(initiatives: [$0.id]) },
                try await ReferenceData().allSchools(on: db).filter { scope.covers(school: $0.id) }
            )
        }
        let editing = id.flatMap { id in all.first { $0.id == id } }
        if id != nil && editing == nil { return try await web.notFound(request, language) }
        let zone = language.timeZone
        let languages = language.district.languageSet
        func texts(_ name: String, _ stored: Translated?) -> [[String: Any]] { languageFields(name, stored, language) }
        let view: [String: Any] = [
            "title": editing.map { language.text($0.title).text } ?? t[text: "opportunities"], "editing": editing != nil,
            "id": editing?.id ?? 0, "opportunityID": editing?.id ?? 0,
            "canChange": AccessTable.rules["POST /console/opportunities"]?.allows(staff.principal.role) == true,
            "opportunities": all.map { item -> [String: Any] in
                ["id": item.id, "title": language.text(item.title).text, "shifts": item.shifts.count, "cancelled": item.cancelledAt != nil]
            },
            "titles": texts("title", editing?.title), "descriptions": texts("description", editing?.description),
            "initiatives": initiatives.map { ["id": $0.id, "title": language.text($0.title).text] as [String: Any] },
            "schools": schools.map { ["id": $0.id, "name": $0.name, "selected": editing?.schoolID == $0.id] as [String: Any] },
            "districtWide": scope.schools == nil,
            "version": try editing.map { try API.etag($0.schema(languages)) } ?? "",
            "cancelled": editing?.cancelledAt != nil, "reason": editing?.cancelReason ?? "",
            "shifts": (editing?.shifts ?? []).map { shift -> [String: Any] in
                [
                    "id": shift.id, "starts": Self.local(shift.startsAt, zone), "ends": Self.local(shift.endsAt, zone),
                    "capacity": shift.capacity, "confirmed": shift.confirmed, "waitlist": shift.waitlist,
                    "cancelled": shift.cancelledAt != nil, "reason": shift.cancelReason ?? "",
                    "when": language.when(shift.startsAt, zone: true),
                ]
            },
            "reminderHours": editing.map { $0.reminderHours.map(String.init) ?? "" } ?? "24",
            "zone": zone.identifier, "notice": notice ?? false,
            "hasErrors": !errors.isEmpty, "errors": errors.map { ["target": "edit", "message": $0] },
        ]
        return try await web.page("console-opportunities", view, request: request, language: language, status: status, form: true)
    }

    /// A new opportunity with its first shift, or an opportunity's own fields edited.
    func saveOpportunity(_ request: Request, _ staff: Staff, id: Int64?) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        let language = try await web.pageLanguage(request)
        let t = language.strings
        func again(_ message: String, _ status: HTTPResponse.Status) async throws -> Response {
            try await opportunities(request, staff, id: id, errors: [message], status: status)
        }
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await again(t[text: "error_session"], .forbidden)
        }
        func translated(_ name: String) -> Translated { Self.translated(form, name, language) }
        let school = form["school_id"].flatMap { Int64($0) }
        // Empty: no reminder; otherwise a whole number of hours.
        let reminderText = (form["reminder_hours"] ?? "").trimmingCharacters(in: .whitespaces)
        let reminderHours = Int(reminderText)
        if !reminderText.isEmpty && reminderHours == nil {
            return try await again(t[text: "console_error_check"] + " reminder_hours", .unprocessableContent)
        }
        do {
            if let id {
                _ = try await api.edit("update", API.opportunity, id: id, ifMatch: form["version"] ?? "") { opportunity, db in
                    guard staff.principal.scope.covers(school: school, initiatives: [opportunity.initiativeID]) else {
                        throw EngagementError(code: .forbidden, detail: "school_id: not one of yours")
                    }
                    return try await Volunteering().updateOpportunity(
                        id: opportunity.id,
                        title: translated("title"),
                        description: translated("description"),
                        schoolID: school,
                        reminderHours: .some(reminderHours),
                        on: db
                    )
                }
                return try await opportunities(request, staff, id: id, errors: [], notice: t[text: "saved"])
            }
            guard let initiative = form["initiative_id"].flatMap({ Int64($0) }) else {
                return try await again(t[text: "error_initiative"], .unprocessableContent)
            }
            // Chosen, but outside the person's reach: refused, as the API refuses it.
            guard staff.principal.scope.covers(school: school, initiatives: [initiative]) else {
                return try await again(t[text: "error_initiative"], .forbidden)
            }
            guard let shift = try Self.shift(form, language) else { return try await again(t[text: "console_error_time"], .unprocessableContent) }
            let made = try await web.database.transaction { db in
                let made = try await Volunteering().createOpportunity(
                    .init(
                        initiativeID: initiative,
                        title: translated("title"),
                        description: translated("description"),
                        schoolID: school,
                        shifts: [shift],
                        reminderHours: reminderHours
                    ),
                    on: db
                )
                try await Access.audit("create", "opportunity", id: made.id, old: nil, new: made.schema(language.district.languageSet), on: db)
                return made
            }
            return Response(status: .seeOther, headers: [.location: "/console/opportunities/\(made.id)?lang=\(language.code)"])
        } catch let error as EngagementError where error.code == .notFound {
            return try await web.notFound(request, language)
        } catch let error as EngagementError {
            return try await again(Self.words(error, t), Self.status(error))
        }
    }

    /// A shift's fields from a form (`starts_at`, `ends_at`, `capacity`, `waitlist`), or nil
    /// when a time is not one.
    static func shift(_ form: FormFields, _ language: PageLanguage) throws -> Volunteering.ShiftFields? {
        guard let starts = form["starts_at"].flatMap({ LiaisonPages.parseTime($0, in: language.timeZone) }),
            let ends = form["ends_at"].flatMap({ LiaisonPages.parseTime($0, in: language.timeZone) })
        else { return nil }
        guard let capacity = form["capacity"].flatMap({ Int($0) }) else { throw EngagementError.invalid("capacity", "must be a whole number") }
        return .init(startsAt: starts, endsAt: ends, capacity: capacity, waitlist: form["waitlist"] == "yes")
    }

    /// Cancelling the opportunity, or one of its shifts: `cancel`, `shift-N-cancel`, `shift-N`
    /// (new times or size).
    func volunteeringAction(_ request: Request, _ staff: Staff, id: Int64, action: String) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        let language = try await web.pageLanguage(request)
        let t = language.strings
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await opportunities(request, staff, id: id, errors: [t[text: "error_session"]], status: .forbidden)
        }
        let reason = (form["reason"] ?? "").trimmingCharacters(in: .whitespaces)
        let parts = action.split(separator: "-")
        do {
            // The shift must belong to this opportunity (the page's address names both).
            func ownShift(_ text: Substring) async throws -> Int64 {
                guard let shift = Int64(text),
                    try await web.database.connection({ try await Volunteering().lockShift(id: shift, on: $0) }).opportunity.id == id
                else { throw EngagementError.notFound("shift") }
                return shift
            }
            if action == "add-shift" {
                guard let fields = try Self.shift(form, language) else {
                    return try await opportunities(request, staff, id: id, errors: [t[text: "console_error_time"]], status: .unprocessableContent)
                }
                _ = try await api.edit("update", API.opportunity, id: id, ifMatch: nil) {
                    try await Volunteering().addShift(opportunityID: $0.id, fields, on: $1)
                }
            } else if action == "cancel" {
                _ = try await api.edit("cancel", API.opportunity, id: id, ifMatch: nil) {
                    try await Volunteering().cancelOpportunity(id: $0.id, reason: reason, on: $1)
                }
            } else if parts.count == 3, parts[0] == "shift", parts[2] == "cancel" {
                let shift = try await ownShift(parts[1])
                _ = try await api.edit("cancel", API.shift, id: shift, ifMatch: nil) {
                    try await Volunteering().cancelShift(id: $0.shift.id, reason: reason, on: $1)
                }
            } else if parts.count == 2, parts[0] == "shift" {
                let shift = try await ownShift(parts[1])
                guard let fields = try Self.shift(form, language) else {
                    return try await opportunities(request, staff, id: id, errors: [t[text: "console_error_time"]], status: .unprocessableContent)
                }
                _ = try await api.edit("update", API.shift, id: shift, ifMatch: nil) {
                    try await Volunteering().updateShift(id: $0.shift.id, fields, on: $1)
                }
            } else {
                return try await web.notFound(request, language)
            }
            return try await opportunities(request, staff, id: id, errors: [], notice: t[text: "saved"])
        } catch let error as EngagementError where error.code == .notFound {
            return try await web.notFound(request, language)
        } catch let error as EngagementError {
            return try await opportunities(request, staff, id: id, errors: [Self.words(error, t)], status: Self.status(error))
        }
    }
}
