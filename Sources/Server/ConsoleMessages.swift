import Engagement
import Foundation
import Hummingbird
import InputParsing

/// The console's messages (issue 16): what the outbox holds, by state, with why a message was
/// not sent (never an address or a name), and the texts of every message in every language,
/// which administrators may change.
extension ConsolePages {
    func addMessageRoutes(to pages: RouterGroup<ChorusContext>) {
        pages.get("messages") { request, context in
            try await signedIn(request, "GET /console/messages", context) { staff in try await messages(request, staff, errors: []) }
        }
        pages.post("messages/texts") { request, context in
            try await signedIn(request, "POST /console/messages/texts", context) { staff in try await saveText(request, staff) }
        }
    }

    static let messageStates = ["pending", "sending", "sent", "held", "suppressed", "failed"]

    func messages(_ request: Request, _ staff: Staff, errors: [String], status: HTTPResponse.Status = .ok) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let state = request.uri.queryParameters["state"].map(String.init).flatMap { Self.messageStates.contains($0) ? $0 : nil }
        let texts = try MessageStrings.texts()
        let (recent, counts, edited) = try await web.database.snapshot { db in
            (
                try await Outbox().recent(state: state, limit: 200, on: db),
                try await Outbox().counts(on: db),
                try await MessageTexts.edited(on: db)
            )
        }
        let editable = MessageTexts.templates.flatMap { template in
            language.district.languages.map { code -> [String: Any] in
                let text = edited[template + "/" + code] ?? texts.defaults(template, code) ?? MessageText(subject: "", body: "")
                return [
                    "template": template, "code": code,
                    "label": "\(t["message_name_\(template)"] ?? template) — \(web.strings.strings(code, fallback: code)[text: "language_name"])",
                    "subject": text.subject, "body": text.body, "edited": edited[template + "/" + code] != nil, "id": "\(template)-\(code)",
                ]
            }
        }
        let view: [String: Any] = [
            "title": t[text: "messages"],
            "held": (counts["held"] ?? 0) > 0,
            "heldText": t[text: "messages_held"].replacingOccurrences(of: "{count}", with: language.number(counts["held"] ?? 0)),
            "states": Self.messageStates.map {
                ["value": $0, "label": t[text: "message_state_\($0)"], "count": counts[$0] ?? 0, "selected": $0 == state] as [String: Any]
            },
            "messages": recent.map { message -> [String: Any] in
                [
                    "id": message.id, "created": language.when(message.createdAt),
                    "template": t["message_name_\(message.template)"] ?? message.template,
                    "channel": message.channel, "language": message.language, "state": t[text: "message_state_\(message.state)"],
                    "reason": message.reason ?? "", "sent": message.sentAt.map { language.when($0) } ?? "",
                ]
            },
            "canEdit": AccessTable.rules["POST /console/messages/texts"]?.allows(staff.principal.role) == true,
            "texts": editable,
            "hasErrors": !errors.isEmpty, "errors": errors.map { ["target": "texts", "message": $0] },
        ]
        return try await web.page("console-messages", view, request: request, language: language, status: status, form: true)
    }

    func saveText(_ request: Request, _ staff: Staff) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        let language = try await web.pageLanguage(request)
        let t = language.strings
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await messages(request, staff, errors: [t[text: "error_session"]], status: .forbidden)
        }
        let code = form["language"] ?? ""
        guard language.district.languages.contains(code) else {
            return try await messages(request, staff, errors: [t[text: "error_invalid"]], status: .unprocessableContent)
        }
        do {
            try await web.database.transaction { db in
                try await MessageTexts(defaults: { _, _ in nil }).save(
                    form["template"] ?? "",
                    language: code,
                    MessageText(subject: form["subject"] ?? "", body: form["body"] ?? ""),
                    actor: try Access.caller().actor(requestID: Access.requestID),
                    on: db
                )
            }
            return Response(status: .seeOther, headers: [.location: "/console/messages?lang=\(language.code)"])
        } catch let error as EngagementError {
            return try await messages(request, staff, errors: [Self.words(error, t)], status: Self.status(error))
        }
    }
}
