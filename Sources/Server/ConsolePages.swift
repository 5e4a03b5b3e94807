import Engagement
import Foundation
import Hummingbird
import HummingbirdAuth
import InputParsing

/// The staff console (`/console`, issue 14): per-person sign-in with email and password (and a
/// TOTP code when set), one-time links for invitations and resets, staff accounts and the audit
/// log. Server-rendered, no JavaScript, in the district's languages. See docs/console.md.
struct ConsolePages: Sendable {
    let web: WebPages
    let sessions: SessionStorage<StaffSessions.Session>
    static let cookie = "chorus_staff"
    static let lifetime: Duration = .seconds(8 * 3600)

    /// A signed-in person: their account, and their role and reach for `Access`.
    struct Staff: Sendable {
        var account: StaffAccount
        var principal: Principal
    }

    init(web: WebPages) {
        self.web = web
        self.sessions = SessionStorage(StaffSessionDriver(database: web.database), sessionCookie: Self.cookie)
    }

    func addRoutes(to router: Router<ChorusContext>) {
        let pages = router.group("console").add(middleware: PageHeadersMiddleware())
        pages.get("login") { request, _ in try await login(request, email: "", error: nil, askCode: false) }
        pages.post("login") { request, context in try await signIn(request, context: context) }
        pages.get("welcome/:link") { request, context in
            try await welcome(request, link: try context.parameters.require("link"), error: nil)
        }
        pages.post("welcome/:link") { request, context in
            try await setPassword(request, link: try context.parameters.require("link"), context: context)
        }
        pages.post("logout") { request, _ in try await signOut(request) }
        pages.get("/") { request, context in try await signedIn(request, "GET /console", context) { try await home(request, $0.account) } }
        pages.get("accounts") { request, context in
            try await signedIn(request, "GET /console/accounts", context) {
                try await accounts(request, $0.account, created: nil, errors: [:], form: nil)
            }
        }
        pages.post("accounts") { request, context in
            try await signedIn(request, "POST /console/accounts", context) { try await invite(request, $0.account, context: context) }
        }
        pages.post("accounts/:id/:action") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            let action = try context.parameters.require("action")
            return try await signedIn(request, "POST /console/accounts/{id}/{action}", context) {
                try await change(request, $0.account, id: id, action: action, context: context)
            }
        }
        addSurveyRoutes(to: pages)
        ConsoleResults(console: self).addRoutes(to: pages)
        addAccountRoutes(to: pages)
        addEventRoutes(to: pages)
        addSettingsRoutes(to: pages)
        addSchoolRoutes(to: pages)
        addVolunteeringRoutes(to: pages)
        addGoalRoutes(to: pages)
        addMessageRoutes(to: pages)
        addInvitationRoutes(to: pages)
        addHoursRoutes(to: pages)
        addInitiativeRoutes(to: pages)
        addCaseRoutes(to: pages)
        addRoutingRoutes(to: pages)
        addReportRoutes(to: pages)
        pages.get("audit") { request, context in try await signedIn(request, "GET /console/audit", context) { try await audit(request, $0.account) } }
    }

    /// The five routes of a console page for one kind of record (`events`, `opportunities`):
    /// the list, a new one, one shown, one saved, and an action on one, each under its row of
    /// the access table.
    func addRecordRoutes(
        to pages: RouterGroup<ChorusContext>,
        _ name: String,
        show: @escaping @Sendable (Request, Staff, Int64?) async throws -> Response,
        save: @escaping @Sendable (Request, Staff, Int64?) async throws -> Response,
        action: @escaping @Sendable (Request, Staff, Int64, String) async throws -> Response
    ) {
        pages.get(RouterPath(name)) { request, context in
            try await signedIn(request, "GET /console/\(name)", context) { try await show(request, $0, nil) }
        }
        pages.post(RouterPath(name)) { request, context in
            try await signedIn(request, "POST /console/\(name)", context) { try await save(request, $0, nil) }
        }
        pages.get(RouterPath("\(name)/:id")) { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request, "GET /console/\(name)/{id}", context) { try await show(request, $0, id) }
        }
        pages.post(RouterPath("\(name)/:id")) { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request, "POST /console/\(name)/{id}", context) { try await save(request, $0, id) }
        }
        pages.post(RouterPath("\(name)/:id/:action")) { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            let verb = try context.parameters.require("action")
            return try await signedIn(request, "POST /console/\(name)/{id}/{action}", context) { try await action(request, $0, id, verb) }
        }
    }

    /// A text's fields in a form, one per language the district offers (`title_en`, …): the
    /// typed value when the form comes back, else the stored one, and whether it is missing.
    func languageFields(_ name: String, _ stored: Translated?, _ language: PageLanguage, form: FormFields? = nil) -> [[String: Any]] {
        language.district.languages.map { code in
            let value = form?["\(name)_\(code)"] ?? stored?[code] ?? ""
            return [
                "name": "\(name)_\(code)", "code": code, "value": value, "missing": value.isEmpty && stored != nil,
                "languageName": web.strings.strings(code, fallback: code)[text: "language_name"],
            ]
        }
    }

    /// The texts a form gives as `name_<code>`, one per offered language, empty ones left out.
    static func translated(_ form: FormFields, _ name: String, _ language: PageLanguage) -> Translated {
        var texts: [String: String] = [:]
        for code in language.district.languages {
            if let text = form["\(name)_\(code)"]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty { texts[code] = text }
        }
        return Translated(texts)
    }

    // MARK: Signing in and out

    func login(_ request: Request, email: String, error: String?, askCode: Bool, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let view: [String: Any] = [
            "title": t[text: "console_sign_in"], "email": email, "askCode": askCode,
            "hasErrors": error != nil, "errors": error.map { [["target": askCode ? "code" : "email", "message": t[text: $0]]] } ?? [],
        ]
        return try await web.page("console-login", view, request: request, language: language, status: status, form: true)
    }

    func signIn(_ request: Request, context: ChorusContext) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        let verdict = try await web.forms.check(request, form: form, minimumFillTime: 0)
        let email = form["email"] ?? ""
        guard verdict == .person else {
            return try await login(
                request,
                email: email,
                error: "error_session",
                askCode: false,
                status: verdict == .crossSite ? .forbidden : .unauthorized
            )
        }
        let client = web.limiter.client(of: request, context: context)
        let outcome = try await web.database.transaction { db in
            try await StaffSessions().purge(on: db)
            try await SharedLimits().purge(on: db)
            return try await StaffAccounts().signIn(
                email: email,
                password: form["password"] ?? "",
                code: form["code"],
                client: client,
                requestID: context.id,
                on: db
            )
        }
        switch outcome {
        case .signedIn(let account):
            return try await startSession(request, account)
        case .needsCode:
            return try await login(
                request,
                email: email,
                error: form["code"] == nil ? nil : "console_error_code",
                askCode: true,
                status: .unauthorized
            )
        case .invalid:
            return try await login(request, email: email, error: "console_error_sign_in", askCode: false, status: .unauthorized)
        case .throttled(let retryAfter):
            var response = try await login(request, email: email, error: "console_error_throttled", askCode: false, status: .tooManyRequests)
            response.headers[.retryAfter] = String(retryAfter)
            return response
        }
    }

    func startSession(_ request: Request, _ account: StaffAccount) async throws -> Response {
        let cookie = try await sessions.save(session: .init(accountID: account.id), expiresIn: Self.lifetime)
        var response = Response(status: .seeOther, headers: [.location: "/console?lang=\(try await web.pageLanguage(request).code)"])
        response.headers[.setCookie] = PageCookie.header(Self.cookie, cookie.value, for: request, maxAge: Int(Self.lifetime.components.seconds))
        return response
    }

    func signOut(_ request: Request) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        if try await web.forms.check(request, form: form, minimumFillTime: 0) == .person, sessions.getId(request: request) != nil {
            _ = try await sessions.delete(request: request)
        }
        var response = Response(status: .seeOther, headers: [.location: "/console/login?lang=\(try await web.pageLanguage(request).code)"])
        response.headers[.setCookie] = PageCookie.header(Self.cookie, "", for: request, expired: true)
        return response
    }

    /// The signed-in account, while its session lasts and the account is active (checked on
    /// every request, so a deactivation signs the person out everywhere at once).
    func staff(_ request: Request) async throws -> Staff? {
        guard let id = sessions.getId(request: request), id.utf8.count <= 100,
            let session = try? await sessions.load(request: request)
        else { return nil }
        return try await web.database.connection { db in
            guard let principal = try await StaffAccess().principal(accountID: session.accountID, on: db) else { return nil }
            return Staff(account: try await StaffAccounts().account(id: session.accountID, on: db), principal: principal)
        }
    }

    /// Runs `body` for a signed-in person whose role the access table lets through `route`
    /// ("GET /console/audit"): anyone else goes to the sign-in page, a role without access gets
    /// 403. The body runs with `Access.principal` set, so scope checks work as in the API.
    func signedIn(
        _ request: Request,
        _ route: String,
        _ context: ChorusContext,
        _ body: (Staff) async throws -> Response
    ) async throws -> Response {
        guard let staff = try await staff(request) else {
            return Response(status: .seeOther, headers: [.location: "/console/login?lang=\(try await web.pageLanguage(request).code)"])
        }
        guard AccessTable.rules[route]?.allows(staff.principal.role) == true else {
            return try await web.message(request, try await web.pageLanguage(request), "forbidden_title", "console_forbidden", status: .forbidden)
        }
        return try await Access.$principal.withValue(staff.principal) {
            try await Access.$requestID.withValue(context.id) { try await body(staff) }
        }
    }

    // MARK: One-time links

    func welcome(_ request: Request, link: String, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = try await web.pageLanguage(request)
        guard let account = try await web.database.connection({ try await StaffAccounts().linkAccount(link, on: $0) }) else {
            return try await web.message(request, language, "console_link_title", "console_link_expired", status: .notFound)
        }
        let t = language.strings
        let view: [String: Any] = [
            "title": t[text: "console_choose_password"], "name": account.name, "email": account.email, "link": link,
            "hasErrors": error != nil, "errors": error.map { [["target": "password", "message": t[text: $0]]] } ?? [],
        ]
        return try await web.page("console-welcome", view, request: request, language: language, status: status, form: true)
    }

    func setPassword(_ request: Request, link: String, context: ChorusContext) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await welcome(request, link: link, error: "error_session", status: .unprocessableContent)
        }
        let password = form["password"] ?? ""
        guard password == form["confirm"] ?? "" else {
            return try await welcome(request, link: link, error: "console_error_confirm", status: .unprocessableContent)
        }
        do {
            let account = try await web.database.transaction { try await StaffAccounts().redeem(link, password: password, on: $0) }
            return try await startSession(request, account)
        } catch let error as EngagementError where error.code == .invalid {
            return try await welcome(request, link: link, error: "console_error_password", status: .unprocessableContent)
        } catch let error as EngagementError where error.code == .notFound {
            return try await welcome(request, link: link, error: nil, status: .notFound)
        }
    }

    // MARK: Pages

    func home(_ request: Request, _ account: StaffAccount) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let links = [
            ("cases", "console_cases"), ("routing", "console_routing"), ("goals", "goals"), ("initiatives", "console_initiatives"),
            ("surveys", "console_surveys"), ("events", "events"),
            ("opportunities", "opportunities"), ("hours", "console_hours"),
            ("schools", "schools"),
            ("accounts", "console_accounts"),
            ("messages", "messages"), ("audit", "console_audit"), ("settings", "district_settings"), ("me", "my_account"),
        ].filter {
            AccessTable.rules["GET /console/\($0.0)"]?.allows(account.role) == true
        }
        let view: [String: Any] = [
            "title": t[text: "console"], "account": ["name": account.name, "role": t[text: "role_\(account.role.rawValue)"]],
            "links": links.map { ["href": "/console/\($0.0)", "label": t[text: $0.1]] },
        ]
        return try await web.page("console-home", view, request: request, language: language, form: true)
    }

    func accounts(
        _ request: Request,
        _ account: StaffAccount,
        created: (StaffAccount, String)?,
        errors: [String: String],
        form: FormFields?
    )
        async throws -> Response
    {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let (all, schools, assignments) = try await web.database.snapshot { db in
            let accounts = try await StaffAccounts().accounts(on: db)
            var assigned: [Int64: (schools: [Int64], clusters: [String])] = [:]
            for account in accounts where account.role == .liaison {
                assigned[account.id] = try await StaffAccess().assignments(accountID: account.id, on: db)
            }
            return (accounts, try await ReferenceData().allSchools(on: db), assigned)
        }
        let codes = Dictionary(uniqueKeysWithValues: schools.map { ($0.id, $0.code) })
        var view: [String: Any] = [
            "title": t[text: "console_accounts"],
            "accounts": all.map {
                [
                    "id": $0.id, "name": $0.name, "email": $0.email, "role": t[text: "role_\($0.role.rawValue)"], "active": $0.active,
                    "state": t[text: $0.active ? ($0.hasPassword ? "console_active" : "console_invited") : "console_inactive"],
                    "isSelf": $0.id == account.id, "isLiaison": $0.role == .liaison,
                    "assigned": assignments[$0.id].map { ($0.clusters + $0.schools.compactMap { codes[$0] }).joined(separator: ", ") } ?? "",
                ] as [String: Any]
            },
            "roles": StaffRole.allCases.map {
                ["value": $0.rawValue, "label": t[text: "role_\($0.rawValue)"], "selected": form?["role"] == $0.rawValue]
            },
            "values": ["name": form?["name"] ?? "", "email": form?["email"] ?? ""],
            "hasErrors": !errors.isEmpty,
            "errors": errors.sorted { $0.key < $1.key }.map { ["target": $0.key, "message": t[text: $0.value]] },
        ]
        if let (person, secret) = created {
            view["created"] = ["name": person.name, "link": Self.linkAddress(request, secret)]
        }
        return try await web.page(
            "console-accounts",
            view,
            request: request,
            language: language,
            status: errors.isEmpty ? .ok : .unprocessableContent,
            form: true
        )
    }

    /// The address a one-time link is given as: this server's, as the browser reached it.
    static func linkAddress(_ request: Request, _ secret: String) -> String {
        let scheme = request.headers[.xForwardedProto] == "https" ? "https" : "http"
        let host = request.head.authority ?? "localhost"
        return "\(scheme)://\(host)/console/welcome/\(secret)"
    }

    func invite(_ request: Request, _ account: StaffAccount, context: ChorusContext) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await accounts(request, account, created: nil, errors: ["name": "error_session"], form: form)
        }
        guard let role = form["role"].flatMap(StaffRole.init(rawValue:)) else {
            return try await accounts(request, account, created: nil, errors: ["role": "console_error_role"], form: form)
        }
        do {
            let created = try await web.database.transaction {
                try await StaffAccounts().create(
                    name: form["name"] ?? "",
                    email: form["email"] ?? "",
                    role: role,
                    by: .account(account.id, requestID: context.id),
                    on: $0
                )
            }
            return try await accounts(request, account, created: created, errors: [:], form: nil)
        } catch let error as EngagementError where error.code == .invalid || error.code == .conflict {
            let fields = error.fields.map(\.field)
            var errors: [String: String] = [:]
            if fields.contains("name") { errors["name"] = "console_error_name" }
            if fields.contains("email") || error.code == .conflict {
                errors["email"] = error.code == .conflict ? "console_error_taken" : "console_error_email"
            }
            return try await accounts(request, account, created: nil, errors: errors, form: form)
        }
    }

    func change(_ request: Request, _ account: StaffAccount, id: Int64, action: String, context: ChorusContext) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await accounts(request, account, created: nil, errors: ["name": "error_session"], form: nil)
        }
        let actor = Audit.Actor.account(account.id, requestID: context.id)
        do {
            switch action {
            case "deactivate", "activate":
                _ = try await web.database.transaction {
                    try await StaffAccounts().update(id: id, .init(active: action == "activate"), by: actor, on: $0)
                }
                return try await accounts(request, account, created: nil, errors: [:], form: nil)
            case "assign":
                let schools = try await web.database.connection { try await ReferenceData().allSchools(on: $0) }
                guard let (ids, clusters) = Self.assignment(form["assigned"] ?? "", schools: schools) else {
                    return try await accounts(request, account, created: nil, errors: ["assigned-\(id)": "console_error_assign"], form: nil)
                }
                try await web.database.transaction {
                    try await StaffAccess().assign(accountID: id, schools: ids, clusters: clusters, by: actor, on: $0)
                }
                return try await accounts(request, account, created: nil, errors: [:], form: nil)
            case "link":
                let created = try await web.database.transaction { db in
                    let person = try await StaffAccounts().account(id: id, on: db)
                    let purpose: StaffAccounts.LinkPurpose = person.hasPassword ? .reset : .invitation
                    return (person, try await StaffAccounts().link(for: id, purpose, by: actor, on: db))
                }
                return try await accounts(request, account, created: created, errors: [:], form: nil)
            default:
                return try await web.notFound(request, try await web.pageLanguage(request))
            }
        } catch let error as EngagementError where error.code == .notFound {
            return try await web.notFound(request, try await web.pageLanguage(request))
        } catch let error as EngagementError where error.code == .conflict {
            return try await accounts(request, account, created: nil, errors: ["role": "console_error_last_admin"], form: nil)
        }
    }

    /// "North, LIN-01" → the cluster North and the school LIN-01 (names as the district wrote
    /// them, any case); nil when an entry is neither.
    static func assignment(_ text: String, schools: [School]) -> (schools: [Int64], clusters: [String])? {
        let clusters = Dictionary(schools.map { ($0.cluster.lowercased(), $0.cluster) }, uniquingKeysWith: { first, _ in first })
        let codes = Dictionary(schools.map { ($0.code.lowercased(), $0.id) }, uniquingKeysWith: { first, _ in first })
        var ids: [Int64] = []
        var names: [String] = []
        for entry in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !entry.isEmpty {
            if let cluster = clusters[entry] {
                names.append(cluster)
            } else if let school = codes[entry] {
                ids.append(school)
            } else {
                return nil
            }
        }
        return (ids, names)
    }

    func audit(_ request: Request, _ account: StaffAccount) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let query = request.uri.queryParameters
        func word(_ name: String) -> String? {
            guard let value = query[Substring(name)].map(String.init), !value.isEmpty, value.count <= 40 else { return nil }
            return value.allSatisfy { $0.isLetter || $0 == "_" } ? value : nil
        }
        let before: Int64? = query["before"].flatMap { Int64($0) }
        let filter = Audit.Filter(entity: word("entity"), action: word("action"), before: before, limit: 100)
        let entries = try await web.database.connection { try await Audit().entries(filter, on: $0) }
        let rows = entries.map { entry -> [String: Any] in
            var row: [String: Any] = ["when": language.when(entry.at, zone: true), "actor": entry.actor, "action": entry.action]
            row["entity"] = entry.entity
            row["entityID"] = entry.entityID ?? ""
            row["old"] = Self.summary(entry.oldValues)
            row["new"] = Self.summary(entry.newValues)
            row["requestID"] = entry.requestID ?? ""
            return row
        }
        var view: [String: Any] = ["title": t[text: "console_audit"], "entity": filter.entity ?? "", "action": filter.action ?? "", "entries": rows]
        if entries.count == filter.limit, let last = entries.last {
            view["older"] = "/console/audit?before=\(last.id)&lang=\(language.code)"
        }
        return try await web.page("console-audit", view, request: request, language: language)
    }

    /// "name: Ana · role: admin" for a table cell.
    static func summary(_ values: [String: JSONValue]?) -> String {
        guard let values else { return "" }
        return values.sorted { $0.key < $1.key }.map { "\($0.key): \(Self.text($0.value))" }.joined(separator: " · ")
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .number(let number): number.rounded() == number ? String(Int64(number)) : String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .null: "null"
        case .array(let items): "[" + items.map(text).joined(separator: ", ") + "]"
        case .object(let fields): "{" + fields.sorted { $0.key < $1.key }.map { "\($0.key): \(text($0.value))" }.joined(separator: ", ") + "}"
        }
    }
}
