import Engagement

/// The built-in texts of messages are page strings (`message_TEMPLATE_subject` and `_body` in
/// Web/strings), so they are translated, overridden per district (`CHORUS_STRINGS_DIR`) and
/// checked for completeness with every other string.
public enum MessageStrings {
    public static func texts() throws -> MessageTexts {
        let strings = try WebStrings()
        return MessageTexts { template, language in
            guard let table = strings.table[language], let subject = table["message_\(template)_subject"],
                let body = table["message_\(template)_body"]
            else { return nil }
            return MessageText(subject: subject, body: body)
        }
    }
}
