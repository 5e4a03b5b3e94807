import Engagement
import Foundation
import Hummingbird
import InputParsing

/// The console's inbox (issue 17): cases in the caller's reach, critical first, with filters and
/// bulk actions; a case's page with the comment, its scores, history, notes, the reply form and
/// status changes. A contact is never shown: only whether the family can be emailed.
extension ConsolePages {
    func addCaseRoutes(to pages: RouterGroup<ChorusContext>) {
        pages.get("cases") { request, context in
            try await signedIn(request, "GET /console/cases", context) { try await inbox(request, $0, notice: nil, errors: []) }
        }
        pages.post("cases/bulk") { request, context in
            try await signedIn(request, "POST /console/cases/bulk", context) { try await bulk(request, $0) }
        }
        pages.get("cases/:id") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request, "GET /console/cases/{id}", context) {
                try await casePage(request, $0, id: id, notice: nil, errors: [])
            }
        }
        pages.post("cases/:id/:action") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            let action = try context.parameters.require("action")
            return try await signedIn(request, "POST /console/cases/{id}/{action}", context) { try await act(request, $0, id: id, action: action) }
        }
    }

    /// An owner field's value, `account-N` or `team-N`, as (account, team).
    static func owner(_ value: String?) -> (Int64?, Int64?) {
        let value = value ?? ""
        return (value.hasPrefix("account-") ? Int64(value.dropFirst(8)) : nil, value.hasPrefix("team-") ? Int64(value.dropFirst(5)) : nil)
    }

    /// The filters of the inbox from the query: unknown or bad values are shown as errors.
    static func caseFilter(_ query: [String: String], staff: Staff) -> (Cases.Filter, [String]) {
        var errors: [String] = []
        func id(_ name: String) -> Int64? {
            guard let text = query[name], !text.isEmpty else { return nil }
            guard let value = Int64(text) else {
                errors.append(name)
                return nil
            }
            return value
        }
        func text(_ name: String) -> String? { query[name].flatMap { $0.isEmpty ? nil : $0 } }
        var filter = Cases.Filter(
            initiativeID: id("initiative"),
            schoolID: id("school"),
            theme: text("theme"),
            sentiment: text("sentiment"),
            language: text("language"),
            olderThanDays: id("age").map { Int(clamping: $0) },
            status: text("status"),
            ownerAccountID: query["mine"] == "1" ? staff.account.id : nil,
            criticalOnly: query["critical"] == "1"
        )
        if let owner = id("owner") { filter.ownerAccountID = owner }
        return (filter, errors)
    }

    func inbox(_ request: Request, _ staff: Staff, notice: String?, errors: [String], status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let query = Dictionary(request.uri.queryParameters.map { (String($0.key), String($0.value)) }, uniquingKeysWith: { $1 })
        let (filter, bad) = Self.caseFilter(query, staff: staff)
        var errors = errors + bad.map { t[text: "console_error_check"] + " " + $0 }
        let (cases, initiatives, schools) = try await web.database.snapshot { db in
            var found: [Cases.Summary] = []
            do {
                found = try await Cases().list(filter, scope: staff.principal.scope, accountID: staff.account.id, on: db)
            } catch let error as EngagementError where error.code == .invalid {
                errors.append(Self.words(error, t))
            }
            return (found, try await ReferenceData().allInitiatives(on: db), try await ReferenceData().allSchools(on: db))
        }
        let now = Date()
        func option(_ value: String, _ label: String, _ selected: String?) -> [String: Any] {
            ["value": value, "label": label, "selected": value == (selected ?? "")]
        }
        let view: [String: Any] = [
            "title": t[text: "console_cases"],
            "cases": cases.map { item -> [String: Any] in
                [
                    "id": item.id, "critical": item.critical, "status": t[text: "case_status_\(item.status.rawValue)"],
                    "excerpt": String(item.text.prefix(160)), "textLang": item.language,
                    "initiative": initiatives.first { $0.id == item.initiativeID }.map { language.view($0.title) } ?? [:],
                    "school": schools.first { $0.id == item.schoolID }?.name ?? "—",
                    "owner": item.ownerName ?? item.teamName ?? t[text: "case_unassigned"],
                    "age": language.plural("days_old", Int(now.timeIntervalSince(item.openedAt) / 86_400)),
                    "sentiment": item.compound.map { String(format: "%+.2f", $0) } ?? "—",
                ]
            },
            "none": cases.isEmpty,
            "initiatives": [option("", t[text: "case_any"], query["initiative"])]
                + initiatives.map { option(String($0.id), language.text($0.title).text, query["initiative"]) },
            "schools": [option("", t[text: "case_any"], query["school"])] + schools.map { option(String($0.id), $0.name, query["school"]) },
            "statuses": [option("", t[text: "case_status_open"], query["status"]), option("all", t[text: "case_any"], query["status"])]
                + Cases.Status.allCases.map { option($0.rawValue, t[text: "case_status_\($0.rawValue)"], query["status"]) },
            "sentiments": ["", "negative", "neutral", "positive"].map {
                option($0, $0.isEmpty ? t[text: "case_any"] : t[text: "case_sentiment_\($0)"], query["sentiment"])
            },
            "languages": [option("", t[text: "case_any"], query["language"])]
                + language.district.languages.map { option($0, web.strings.strings($0, fallback: $0)[text: "language_name"], query["language"]) },
            "themeValue": query["theme"] ?? "", "ageValue": query["age"] ?? "",
            "mine": query["mine"] == "1", "criticalOnly": query["critical"] == "1",
            "canAct": AccessTable.rules["POST /console/cases/bulk"]?.allows(staff.account.role) == true,
            "notice": notice ?? false, "hasErrors": !errors.isEmpty, "errors": errors.map { ["target": "cases", "message": $0] },
        ]
        return try await web.page("console-cases", view, request: request, language: language, status: status, form: true)
    }

    /// Bulk actions for the obvious ones: take them, close them, or mark them "no action needed".
    func bulk(_ request: Request, _ staff: Staff) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        let t = try await web.pageLanguage(request).strings
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await inbox(request, staff, notice: nil, errors: [t[text: "error_session"]], status: .forbidden)
        }
        let ids = form.all("case").compactMap { Int64($0) }
        guard !ids.isEmpty, ids.count <= 200 else {
            return try await inbox(request, staff, notice: nil, errors: [t[text: "case_error_none_chosen"]], status: .unprocessableContent)
        }
        let actor = try Access.caller().actor(requestID: Access.requestID)
        let cases = Cases()
        do {
            try await web.database.transaction { db in
                for id in ids {
                    switch form["bulk"] {
                    case "take":
                        try await cases.assign(id, accountID: staff.account.id, teamID: nil, scope: staff.principal.scope, actor: actor, on: db)
                    case "close": try await cases.setStatus(id, .closed, reason: nil, scope: staff.principal.scope, actor: actor, on: db)
                    case "no_action":
                        try await cases.setStatus(id, .noAction, reason: form["reason"], scope: staff.principal.scope, actor: actor, on: db)
                    default: throw EngagementError.invalid("bulk", "must be take, close or no_action")
                    }
                }
            }
        } catch let error as EngagementError where error.code == .invalid || error.code == .notFound {
            return try await inbox(request, staff, notice: nil, errors: [Self.words(error, t)], status: Self.status(error))
        }
        return try await inbox(request, staff, notice: t[text: "case_saved"], errors: [])
    }

    func casePage(
        _ request: Request,
        _ staff: Staff,
        id: Int64,
        notice: String?,
        errors: [String],
        status: HTTPResponse.Status = .ok
    ) async throws
        -> Response
    {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let found = try await web.database.snapshot { db in
            (
                try await Cases().detail(id, scope: staff.principal.scope, accountID: staff.account.id, on: db),
                try await ReferenceData().allInitiatives(on: db), try await ReferenceData().allSchools(on: db),
                try await StaffAccounts().accounts(on: db).filter { $0.active && $0.role != .analyst },
                try await Teams().all(on: db)
            )
        }
        guard let detail = found.0 else { return try await web.notFound(request, language) }
        let item = detail.summary
        let canAct = AccessTable.rules["POST /console/cases/{id}/{action}"]?.allows(staff.account.role) == true
        let view: [String: Any] = [
            "title": t[text: "console_case"] + " #\(item.id)",
            "id": item.id, "critical": item.critical, "criticalReason": item.criticalReason ?? "",
            "status": t[text: "case_status_\(item.status.rawValue)"], "text": item.text, "textLang": item.language,
            "source": t[text: "case_source_\(item.source)"],
            "initiative": found.1.first { $0.id == item.initiativeID }.map { language.view($0.title) } ?? [:],
            "school": found.2.first { $0.id == item.schoolID }?.name ?? "—",
            "opened": language.when(item.openedAt, zone: true),
            "owner": item.ownerName ?? item.teamName ?? t[text: "case_unassigned"],
            "sentiment": item.compound.map { String(format: "%+.3f", $0) } ?? "—",
            "themes": item.themes.isEmpty ? "—" : item.themes.joined(separator: ", "),
            "canEmail": item.canEmail, "noActionReason": detail.noActionReason ?? false,
            "history": detail.history.map { entry -> [String: Any] in
                [
                    "when": language.when(entry.at), "who": entry.accountName ?? t[text: "case_system"],
                    "kind": t[text: "case_history_\(entry.kind)"], "body": entry.body ?? "", "published": entry.published,
                    "emailed": entry.emailed,
                ]
            },
            "accounts": found.3.map { ["id": $0.id, "name": $0.name, "selected": $0.id == item.ownerAccountID] as [String: Any] },
            "teams": found.4.map { ["id": $0.id, "name": $0.name, "selected": $0.id == item.teamID] as [String: Any] },
            "canAct": canAct,
            "notice": notice ?? false, "hasErrors": !errors.isEmpty, "errors": errors.map { ["target": "reply", "message": $0] },
        ]
        return try await web.page("console-case", view, request: request, language: language, status: status, form: true)
    }

    func act(_ request: Request, _ staff: Staff, id: Int64, action: String) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        let t = try await web.pageLanguage(request).strings
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await casePage(request, staff, id: id, notice: nil, errors: [t[text: "error_session"]], status: .forbidden)
        }
        let actor = try Access.caller().actor(requestID: Access.requestID)
        let scope = staff.principal.scope
        let cases = Cases()
        do {
            let notice: String = try await web.database.transaction { db in
                switch action {
                case "reply":
                    let outcome = try await cases.reply(
                        id,
                        form["reply"] ?? "",
                        publish: form["publish"] == "yes",
                        scope: scope,
                        actor: actor,
                        on: db
                    )
                    return t[text: outcome.emailed > 0 ? "case_replied_emailed" : "case_replied"]
                case "note":
                    try await cases.note(id, form["note"] ?? "", scope: scope, actor: actor, on: db)
                    return t[text: "case_saved"]
                case "assign":
                    let (account, team) = Self.owner(form["owner"])
                    try await cases.assign(id, accountID: account, teamID: team, scope: scope, actor: actor, on: db)
                    return t[text: "case_saved"]
                case "status":
                    guard let next = Cases.Status(rawValue: form["status"] ?? "") else {
                        throw EngagementError.invalid("status", "must be new, closed or no_action")
                    }
                    try await cases.setStatus(id, next, reason: form["reason"], scope: scope, actor: actor, on: db)
                    return t[text: "case_saved"]
                default:
                    throw EngagementError.notFound("action")
                }
            }
            return try await casePage(request, staff, id: id, notice: notice, errors: [])
        } catch let error as EngagementError where error.code == .invalid || error.code == .notFound || error.code == .conflict {
            if error.code == .notFound { return try await web.notFound(request, try await web.pageLanguage(request)) }
            return try await casePage(request, staff, id: id, notice: nil, errors: [Self.words(error, t)], status: Self.status(error))
        }
    }
}
