import Engagement
import Foundation
import Hummingbird

/// The pages the links in messages open (issue 16): a volunteer's own cancel link, and the
/// one-click unsubscribe of every email. The signed token in the path is the authority, so
/// these forms carry no session or form cookie: a mail provider's RFC 8058 POST has none, and a
/// forged cross-site POST would need the token. A GET never changes anything (link scanners
/// follow GETs).
extension WebPages {
    func addMessageLinkRoutes(to router: Router<ChorusContext>) {
        let pages = router.group().add(middleware: PageHeadersMiddleware())
        pages.get("/unsubscribe/:token") { request, context in
            try await unsubscribePage(request, token: try context.parameters.require("token"), done: false)
        }
        pages.post("/unsubscribe/:token") { request, context in
            try await unsubscribePage(request, token: try context.parameters.require("token"), done: true)
        }
        pages.get("/volunteer/signups/:token") { request, context in
            try await cancelPage(request, token: try context.parameters.require("token"), done: false)
        }
        pages.post("/volunteer/signups/:token") { request, context in
            try await cancelPage(request, token: try context.parameters.require("token"), done: true)
        }
    }

    func unsubscribePage(_ request: Request, token: String, done: Bool) async throws -> Response {
        let language = try await pageLanguage(request)
        _ = try await request.body.collect(upTo: 4 * 1024)
        let tokens = try await database.connection { try await LinkTokens.load(on: $0) }
        guard let messageID = tokens.id(.unsubscribe, from: token) else { return try await notFound(request, language) }
        if done {
            guard try await database.transaction({ try await Consents().unsubscribe(messageID: messageID, on: $0) }) != nil else {
                return try await notFound(request, language)
            }
            return try await message(request, language, "unsubscribed_title", "unsubscribed_text", status: .ok)
        }
        return try await confirmPage(
            request,
            language,
            heading: "unsubscribe_title",
            text: "unsubscribe_text",
            button: "unsubscribe_button",
            details: nil
        )
    }

    func cancelPage(_ request: Request, token: String, done: Bool) async throws -> Response {
        let language = try await pageLanguage(request)
        _ = try await request.body.collect(upTo: 4 * 1024)
        let tokens = try await database.connection { try await LinkTokens.load(on: $0) }
        guard let signupID = tokens.id(.cancelSignup, from: token),
            let signup = try await database.connection({ try await Volunteering().signupForCancel(id: signupID, on: $0) })
        else { return try await notFound(request, language) }
        if done {
            let cancelled = try await database.transaction { try await Volunteering().cancelOwn(signupID: signupID, on: $0) }
            return try await message(
                request,
                language,
                cancelled ? "signup_cancelled_title" : "signup_not_cancelled_title",
                cancelled ? "signup_cancelled_text" : "signup_not_cancelled_text",
                status: cancelled ? .ok : .conflict
            )
        }
        guard signup.status == .confirmed || signup.status == .waitlisted, signup.startsAt > Date() else {
            return try await message(request, language, "signup_not_cancelled_title", "signup_not_cancelled_text", status: .conflict)
        }
        let details: [String: Any] = ["title": language.view(signup.title), "when": language.when(signup.startsAt)]
        return try await confirmPage(
            request,
            language,
            heading: "cancel_signup_title",
            text: "cancel_signup_text",
            button: "cancel_signup_button",
            details: details
        )
    }

    func confirmPage(
        _ request: Request,
        _ language: PageLanguage,
        heading: String,
        text: String,
        button: String,
        details: [String: Any]?
    ) async throws -> Response {
        let t = language.strings
        let view: [String: Any] = [
            "title": t[text: heading], "heading": t[text: heading], "text": t[text: text], "button": t[text: button],
            "action": "\(request.uri.path)?lang=\(language.code)", "details": details ?? false, "oneClick": details == nil,
        ]
        return try await page("confirm", view, request: request, language: language)
    }
}
