import Engagement
import Foundation
import Hummingbird
import InputParsing
import Scoring

/// The console's routing (issue 17): the ordered rules, teams, the district's own critical terms
/// and who is alerted of critical cases. Administrators change them; every change is audited.
extension ConsolePages {
    func addRoutingRoutes(to pages: RouterGroup<ChorusContext>) {
        pages.get("routing") { request, context in
            try await signedIn(request, "GET /console/routing", context) { try await routing(request, $0, notice: nil, errors: []) }
        }
        pages.post("routing") { request, context in
            try await signedIn(request, "POST /console/routing", context) { try await changeRouting(request, $0, id: nil, action: nil) }
        }
        pages.post("routing/:id/:action") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            let action = try context.parameters.require("action")
            return try await signedIn(request, "POST /console/routing/{id}/{action}", context) {
                try await changeRouting(request, $0, id: id, action: action)
            }
        }
    }

    func routing(_ request: Request, _ staff: Staff, notice: String?, errors: [String], status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let (rules, initiatives, schools, accounts, teams, terms, alerted) = try await web.database.snapshot { db in
            (
                try await CaseRouting().rules(on: db), try await ReferenceData().allInitiatives(on: db), try await ReferenceData().allSchools(on: db),
                try await StaffAccounts().accounts(on: db), try await Teams().all(on: db), try await Teams.districtTerms(on: db),
                try await Teams.alerted(on: db)
            )
        }
        let handlers = accounts.filter { $0.active && $0.role != .analyst }
        let view: [String: Any] = [
            "title": t[text: "console_routing"],
            "rules": rules.enumerated().map { index, rule -> [String: Any] in
                var when: [String] = []
                if let id = rule.initiativeID, let initiative = initiatives.first(where: { $0.id == id }) {
                    when.append(t[text: "initiative"] + ": " + language.text(initiative.title).text)
                }
                if let id = rule.schoolID { when.append(t[text: "school"] + ": " + (schools.first { $0.id == id }?.name ?? "#\(id)")) }
                if let cluster = rule.cluster { when.append(t[text: "routing_cluster"] + ": " + cluster) }
                if let theme = rule.theme { when.append(t[text: "case_theme"] + ": " + theme) }
                if let keyword = rule.keyword { when.append(t[text: "routing_keyword"] + ": “" + keyword + "”") }
                let owner =
                    rule.ownerAccountID.flatMap { id in accounts.first { $0.id == id }?.name }
                    ?? rule.teamID.flatMap { id in teams.first { $0.id == id }?.name } ?? "—"
                return ["id": rule.id, "position": index + 1, "when": when.joined(separator: " · "), "owner": owner, "first": index == 0]
            },
            "noRules": rules.isEmpty,
            "initiatives": initiatives.map { ["id": $0.id, "title": language.text($0.title).text] as [String: Any] },
            "schools": schools.map { ["id": $0.id, "name": $0.name] as [String: Any] },
            "clusters": Array(Set(schools.map(\.cluster))).sorted(),
            "owners": handlers.map { ["value": "account-\($0.id)", "name": $0.name] } + teams.map { ["value": "team-\($0.id)", "name": $0.name] },
            "handlers": handlers.map { ["id": $0.id, "name": $0.name] as [String: Any] },
            "teams": teams.map { ["id": $0.id, "name": $0.name, "members": $0.members.joined(separator: ", ")] as [String: Any] },
            "terms": terms.map { ["language": $0.0, "term": $0.1] },
            "builtInCount": language.number(CriticalTerms.builtIn.count),
            "languages": language.district.languages,
            "accounts": accounts.filter(\.active).map { ["id": $0.id, "name": $0.name, "alerted": alerted.contains($0.id)] as [String: Any] },
            "canChange": staff.account.role == .admin,
            "notice": notice ?? false, "hasErrors": !errors.isEmpty, "errors": errors.map { ["target": "rules", "message": $0] },
        ]
        return try await web.page("console-routing", view, request: request, language: language, status: status, form: true)
    }

    func changeRouting(_ request: Request, _ staff: Staff, id: Int64?, action: String?) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        let t = try await web.pageLanguage(request).strings
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await routing(request, staff, notice: nil, errors: [t[text: "error_session"]], status: .forbidden)
        }
        let actor = try Access.caller().actor(requestID: Access.requestID)
        do {
            try await web.database.transaction { db in
                if let id {
                    if action == "member" {
                        guard let account = form["account"].flatMap({ Int64($0) }) else {
                            throw EngagementError.invalid("account", "choose a person")
                        }
                        try await Teams().addMember(team: id, account: account, actor: actor, on: db)
                    } else {
                        try await CaseRouting().change(id, action: action ?? "", actor: actor, on: db)
                    }
                    return
                }
                switch form["do"] {
                case "rule":
                    let (account, team) = Self.owner(form["owner"])
                    try await CaseRouting().add(
                        .init(
                            initiativeID: form["initiative"].flatMap { Int64($0) },
                            schoolID: form["school"].flatMap { Int64($0) },
                            cluster: form["cluster"],
                            theme: form["theme"],
                            keyword: form["keyword"],
                            ownerAccountID: account,
                            teamID: team
                        ),
                        actor: actor,
                        on: db
                    )
                case "team": try await Teams().create(name: form["name"] ?? "", actor: actor, on: db)
                case "term":
                    try await Teams.criticalTerm(
                        form["term"] ?? "",
                        language: form["language"] ?? "",
                        remove: form["remove"] == "yes",
                        actor: actor,
                        on: db
                    )
                case "alerts":
                    try await Teams.alertContacts(form.all("account").compactMap { Int64($0) }, actor: actor, on: db)
                default: throw EngagementError.notFound("action")
                }
            }
        } catch let error as EngagementError where error.code == .invalid || error.code == .notFound || error.code == .conflict {
            if error.code == .notFound { return try await web.notFound(request, try await web.pageLanguage(request)) }
            return try await routing(request, staff, notice: nil, errors: [Self.words(error, t)], status: Self.status(error))
        }
        return try await routing(request, staff, notice: t[text: "case_saved"], errors: [])
    }
}
