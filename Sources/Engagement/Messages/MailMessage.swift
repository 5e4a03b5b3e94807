import Foundation

/// One email as RFC 5322 bytes: plain text and HTML alternatives, both UTF-8 in base64 (no line
/// can be too long, any script is safe), subject as an RFC 2047 encoded word, and the RFC 8058
/// one-click unsubscribe headers. Written here because no kept MIME writer is available to us;
/// it composes, it does not parse (docs/decisions.md).
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var to: String
    public var replyTo: String?
    public var subject: String
    public var text: String
    public var html: String
    /// `<chorus-message-ID@host>`: the same on every attempt, so a resend after a crash is the
    /// same message to anyone who deduplicates.
    public var messageID: String
    public var unsubscribe: String?
    public var date: Date

    public init(
        from: String,
        to: String,
        replyTo: String?,
        subject: String,
        text: String,
        html: String,
        messageID: String,
        unsubscribe: String?,
        date: Date = Date()
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.unsubscribe = unsubscribe
        self.date = date
    }

    public var bytes: Data {
        let boundary = "chorus-" + String(messageID.filter { $0.isLetter || $0.isNumber }.prefix(40))
        var headers = [
            "From: \(Self.header(from))",
            "To: \(Self.header(to))",
            "Subject: \(Self.encodedWord(subject))",
            "Date: \(Self.rfc5322Date(date))",
            "Message-ID: \(messageID)",
            "MIME-Version: 1.0",
            "Auto-Submitted: auto-generated",
        ]
        if let replyTo { headers.append("Reply-To: \(Self.header(replyTo))") }
        if let unsubscribe {
            headers.append("List-Unsubscribe: <\(Self.header(unsubscribe))>")
            headers.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
        }
        headers.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
        var lines = headers + [""]
        for (type, content) in [("text/plain", text), ("text/html", html)] {
            lines += [
                "--\(boundary)",
                "Content-Type: \(type); charset=utf-8",
                "Content-Transfer-Encoding: base64",
                "",
            ]
            lines += Self.base64Lines(Data(content.utf8))
        }
        lines.append("--\(boundary)--")
        return Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// No line breaks in a header value: they would start a header of the sender's choosing.
    static func header(_ value: String) -> String {
        String(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }.map(Character.init))
    }

    static func encodedWord(_ value: String) -> String {
        let clean = header(value)
        if clean.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 }) && !clean.contains("=?") { return clean }
        // Encoded words are at most 75 characters: split the UTF-8 on character boundaries.
        var words: [String] = []
        var chunk = ""
        for character in clean {
            if (chunk + String(character)).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    static func base64Lines(_ data: Data) -> [String] {
        [data.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])]
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}

/// How a delivery failed: worth another try later, or never (the address is refused).
public enum DeliveryFailure: Error, Sendable, Equatable {
    case transient(String)
    case permanent(String)
}
