import Engagement
import Foundation
import Hummingbird
import InputParsing

/// A person's own page in the console (issue 14): their role and reach, turning on the second
/// factor (TOTP: the secret is shown to type into an app, and a code from the app confirms it),
/// and their API tokens (a new one is shown once; each can be revoked). An administrator sees
/// and revokes every account's tokens here, and the older unowned ones.
extension ConsolePages {
    func addAccountRoutes(to pages: RouterGroup<ChorusContext>) {
        pages.get("me") { request, context in
            try await signedIn(request, "GET /console/me", context) { try await me(request, $0, created: nil, error: nil) }
        }
        pages.post("me/two-factor") { request, context in
            try await signedIn(request, "POST /console/me/two-factor", context) { try await enableTwoFactor(request, $0) }
        }
        pages.post("me/tokens") { request, context in
            try await signedIn(request, "POST /console/me/tokens", context) { try await createToken(request, $0) }
        }
        pages.post("me/tokens/:id/revoke") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request, "POST /console/me/tokens/{id}/revoke", context) { try await revokeToken(request, $0, id: id) }
        }
    }

    func me(
        _ request: Request,
        _ staff: Staff,
        created: String?,
        error: String?,
        secret: String? = nil,
        status: HTTPResponse.Status = .ok
    )
        async throws -> Response
    {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let isAdmin = staff.account.role == .admin
        let (tokens, schools, district, accounts) = try await web.database.snapshot { db in
            (
                try await Tokens().list(accountID: isAdmin ? nil : staff.account.id, on: db),
                try await ReferenceData().schools(cluster: nil, cursor: nil, limit: 200, on: db).items,
                try await DistrictSettings.current(on: db),
                isAdmin ? try await StaffAccounts().accounts(on: db) : []
            )
        }
        let owners = Dictionary(uniqueKeysWithValues: accounts.map { ($0.id, $0.name) })
        let reach: String
        if let ids = staff.principal.scope.schools {
            reach = schools.filter { ids.contains($0.id) }.map(\.name).joined(separator: ", ")
        } else if let ids = staff.principal.scope.initiatives {
            reach = "\(ids.count) \(t[text: "console_initiatives"].lowercased())"
        } else {
            reach = t[text: "reach_all"]
        }
        let pending = secret ?? TwoFactor.newSecret()
        var view: [String: Any] = [
            "title": t[text: "my_account"], "name": staff.account.name, "email": staff.account.email,
            "role": t[text: "role_\(staff.account.role.rawValue)"], "reach": reach.isEmpty ? "—" : reach,
            "twoFactor": staff.account.twoFactor, "secret": pending,
            "address": TwoFactor.address(secret: pending, account: staff.account.email, issuer: district.name),
            "tokens": tokens.map { token -> [String: Any] in
                [
                    "id": token.id, "name": token.name, "created": language.when(token.createdAt),
                    "owner": token.accountID.flatMap { owners[$0] } ?? token.role.map { t[text: "role_\($0.rawValue)"] } ?? "",
                    "used": token.lastUsedAt.map { language.when($0) } ?? t[text: "never"], "revoked": token.revokedAt != nil,
                ]
            },
            "hasErrors": error != nil,
            "errors": error.map { [["target": "code", "message": t[text: $0]]] } ?? [],
        ]
        if let created { view["created"] = created }
        view["isAdmin"] = isAdmin
        return try await web.page("console-me", view, request: request, language: language, status: status, form: true)
    }

    func enableTwoFactor(_ request: Request, _ staff: Staff) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await me(request, staff, created: nil, error: "error_session", status: .forbidden)
        }
        let secret = form["secret"] ?? ""
        // Only a secret of the shape this page makes: nothing else is stored.
        guard secret.count == 20, secret.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            return try await me(request, staff, created: nil, error: "console_error_code", status: .unprocessableContent)
        }
        do {
            try await web.database.transaction { db in
                try await StaffAccounts().enableTwoFactor(
                    id: staff.account.id,
                    secret: secret,
                    code: form["code"] ?? "",
                    by: staff.principal.actor(requestID: Access.requestID),
                    on: db
                )
            }
        } catch let error as EngagementError where error.code == .invalid {
            return try await me(request, staff, created: nil, error: "console_error_code", secret: secret, status: .unprocessableContent)
        }
        var updated = staff
        updated.account.twoFactor = true
        return try await me(request, updated, created: nil, error: nil)
    }

    func createToken(_ request: Request, _ staff: Staff) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await me(request, staff, created: nil, error: "error_session", status: .forbidden)
        }
        do {
            let secret = try await web.database.transaction { db in
                try await Tokens().create(
                    name: form["name"] ?? "",
                    owner: staff.account.id,
                    by: staff.principal.actor(requestID: Access.requestID),
                    on: db
                ).1
            }
            return try await me(request, staff, created: secret, error: nil)
        } catch let error as EngagementError where error.code == .invalid {
            return try await me(request, staff, created: nil, error: "console_error_token_name", status: .unprocessableContent)
        }
    }

    func revokeToken(_ request: Request, _ staff: Staff, id: Int64) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await me(request, staff, created: nil, error: "error_session", status: .forbidden)
        }
        let revoked = try await web.database.transaction {
            try await Tokens().revoke(
                id: id,
                accountID: staff.account.role == .admin ? nil : staff.account.id,
                by: staff.principal.actor(requestID: Access.requestID),
                on: $0
            )
        }
        guard revoked else { return try await web.notFound(request, try await web.pageLanguage(request)) }
        return try await me(request, staff, created: nil, error: nil)
    }
}
