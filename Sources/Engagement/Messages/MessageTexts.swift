import Foundation
import Postgres

/// A message's words in one language: a subject and a body with `{placeholders}`.
public struct MessageText: Sendable, Equatable, Codable {
    public var subject: String
    public var body: String

    public init(subject: String, body: String) {
        self.subject = subject
        self.body = body
    }
}

/// The texts of every template: staff's own (`message_texts`, edited in the console) over the
/// built-in ones of the language, then of English. Every message ends with the footer text,
/// which names the district and the unsubscribe link.
public struct MessageTexts: Sendable {
    public static let templates = [
        "signup_confirmed", "signup_waitlisted", "signup_promoted", "signup_reminder", "signup_hours", "rsvp_confirmed", "event_reminder",
        "survey_invitation", "survey_reminder", "case_reply", "case_alert", "initiative_update", "milestone_moved", "footer", "sms_stop",
    ]

    /// Built-in texts: template and language to text, nil when that language has none.
    public let defaults: @Sendable (String, String) -> MessageText?

    public init(defaults: @escaping @Sendable (String, String) -> MessageText?) {
        self.defaults = defaults
    }

    public func text(_ template: String, language: String, on db: PostgresConnection) async throws -> MessageText? {
        if let row = try await db.query(
            "SELECT subject, body FROM message_texts WHERE template = \(template) AND language = \(language)"
        ).first {
            let (subject, body) = try row.decode((String, String).self)
            return MessageText(subject: subject, body: body)
        }
        return defaults(template, language) ?? defaults(template, "en")
    }

    /// Every text staff changed, by "template/language".
    public static func edited(on db: PostgresConnection) async throws -> [String: MessageText] {
        var texts: [String: MessageText] = [:]
        for row in try await db.query("SELECT template, language, subject, body FROM message_texts") {
            let (template, language, subject, body) = try row.decode((String, String, String, String).self)
            texts[template + "/" + language] = MessageText(subject: subject, body: body)
        }
        return texts
    }

    /// Staff's change of a text (audited by the caller's transaction).
    public func save(_ template: String, language: String, _ text: MessageText, actor: Audit.Actor, on db: PostgresConnection) async throws {
        var validator = Validator()
        if !Self.templates.contains(template) { validator.add("template", "is not a message") }
        validator.text(text.subject, "subject", max: 200)
        validator.text(text.body, "body", max: 5000)
        if text.subject.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { validator.add("subject", "is required") }
        if text.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { validator.add("body", "is required") }
        try validator.check()
        try await db.query(
            """
            INSERT INTO message_texts (template, language, subject, body, updated_by) VALUES (\(template), \(language), \(text.subject), \(text.body), \(actor.accountID))
            ON CONFLICT (template, language) DO UPDATE SET subject = excluded.subject, body = excluded.body, updated_at = now(), updated_by = excluded.updated_by
            """
        )
        try await Audit().record(
            "update",
            "message_text",
            id: "\(template)/\(language)",
            new: ["subject": .string(text.subject), "body": .string(text.body)],
            by: actor,
            on: db
        )
    }

    /// `{name}` replaced by its value; unknown placeholders stay as written.
    static func fill(_ text: String, _ values: [String: String]) -> String {
        var result = text
        for (name, value) in values { result = result.replacingOccurrences(of: "{\(name)}", with: value) }
        return result
    }

    /// The HTML alternative: the text escaped, paragraphs at blank lines, links clickable.
    static func html(_ body: String, _ values: [String: String], links: Set<String>) -> String {
        var escapedValues: [String: String] = [:]
        for (name, value) in values {
            let escaped = escape(value)
            escapedValues[name] = links.contains(name) ? "<a href=\"\(escaped)\">\(escaped)</a>" : escaped
        }
        let paragraphs = escape(body).components(separatedBy: "\n\n").map { paragraph in
            "<p>" + fill(paragraph, escapedValues).replacingOccurrences(of: "\n", with: "<br>") + "</p>"
        }
        return "<!doctype html><html><body>" + paragraphs.joined(separator: "\n") + "</body></html>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
