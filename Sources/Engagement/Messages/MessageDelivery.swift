import Foundation
import Jobs
import Logging
import Postgres

/// Delivers one outbox message (the `deliver_message` job). In a first transaction it checks
/// that the message may still go (the person's details, their consent for the purpose, a good
/// address, a transport, a cause still true), renders it and marks it `sending`; it sends
/// outside any transaction; a second transaction marks it `sent`. A worker killed in between
/// leaves it `sending`, and the job's retry sends it again with the same Message-ID
/// (docs/messages.md, exactly once). A refusal for good marks it failed and the address
/// undeliverable; anything else is retried with the queue's backoff.
public struct MessageDelivery: Sendable {
    public struct Configuration: Sendable {
        public var mail: Msmtp?
        /// The district's text message gateway, when it has one.
        public var sms: SMSGateway?
        /// Where links in messages point: the public address of the pages.
        public var publicURL: String
        public var texts: MessageTexts

        public init(mail: Msmtp?, sms: SMSGateway? = nil, publicURL: String, texts: MessageTexts) {
            self.mail = mail
            self.sms = sms
            self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
            self.texts = texts
        }

        /// The channels this worker can deliver on.
        public var channels: [ContactChannel] { (mail == nil ? [] : [.email]) + (sms == nil ? [] : [.sms]) }

        /// No transport: every message is kept, `held`, until a worker with one starts.
        public static let held = Configuration(mail: nil, publicURL: "http://127.0.0.1:8080", texts: MessageTexts { _, _ in nil })
    }

    let database: PostgresClient
    let configuration: Configuration
    let logger: Logger

    public init(database: PostgresClient, configuration: Configuration, logger: Logger = Logger(label: "chorus.messages")) {
        self.database = database
        self.configuration = configuration
        self.logger = logger
    }

    public var handler: JobHandler {
        { job in try await self.deliver(try job.decode(Outbox.Delivery.self).message, lastAttempt: job.attempt >= job.maxAttempts) }
    }

    enum Step {
        case done
        case send(MailMessage)
        case text(SMSGateway.Message)
    }

    public func deliver(_ id: Int64, lastAttempt: Bool = false) async throws {
        let step = try await database.withTransaction { db in try await prepare(id, on: db) }
        do {
            switch step {
            case .done: return
            case .send(let mail):
                guard let transport = configuration.mail else { return }
                try await transport.send(mail)
            case .text(let message):
                guard let gateway = configuration.sms else { return }
                try await gateway.send(message)
            }
        } catch DeliveryFailure.permanent(let why) {
            let column = if case .text = step { "phone_undeliverable_at" } else { "email_undeliverable_at" }
            try await database.withTransaction { db in
                try await db.query("UPDATE outbox SET state = 'failed', reason = \(why) WHERE id = \(id)")
                try await db.query(
                    """
                    UPDATE participant_contacts SET \(unsafeSQL: column) = now()
                    WHERE participant_id = (SELECT participant_id FROM outbox WHERE id = \(id))
                    """
                )
            }
            logger.warning("message refused for good; the address is marked undeliverable", metadata: ["message.id": "\(id)"])
            return
        } catch {
            let why = "\(error)".prefix(300).description
            try await database.query(
                "UPDATE outbox SET state = \(lastAttempt ? "failed" : "pending")::message_state, reason = \(why) WHERE id = \(id)"
            )
            throw error
        }
        try await database.query("UPDATE outbox SET state = 'sent', sent_at = now(), reason = NULL WHERE id = \(id)")
    }

    /// Everything that decides whether and what to send, under the message's row lock.
    func prepare(_ id: Int64, on db: PostgresConnection) async throws -> Step {
        guard
            let row = try await db.query(
                """
                SELECT o.state::text, o.channel::text, o.purpose::text, o.template, o.language, o.data::text,
                       coalesce(c.email, a.email), coalesce(c.name, a.name), c.email_undeliverable_at IS NOT NULL, c.phone,
                       c.phone_undeliverable_at IS NOT NULL,
                       EXISTS (SELECT 1 FROM contact_consents k WHERE k.participant_id = o.participant_id AND k.purpose = o.purpose
                               AND k.channel = o.channel AND k.withdrawn_at IS NULL)
                       OR coalesce(a.active AND a.receives_alerts AND o.purpose = 'alerts', false)
                FROM outbox o LEFT JOIN participant_contacts c ON c.participant_id = o.participant_id
                LEFT JOIN staff_accounts a ON a.id = o.account_id
                WHERE o.id = \(id) FOR UPDATE OF o
                """
            ).first
        else { return .done }
        let (state, channel, _, template, language, dataText, email, name, undeliverable, phone, phoneUndeliverable, consented) =
            try row.decode((String, String, String, String, String, String, String?, String?, Bool, String?, Bool, Bool).self)
        guard state == "pending" || state == "sending" else { return .done }
        func stop(_ state: String, _ reason: String) async throws -> Step {
            try await db.query("UPDATE outbox SET state = \(state)::message_state, reason = \(reason) WHERE id = \(id)")
            return .done
        }
        let texting = channel == ContactChannel.sms.rawValue
        guard let address = texting ? phone : email else { return try await stop("suppressed", "no contact details (erased or expired)") }
        guard consented else { return try await stop("suppressed", "no consent for this purpose") }
        guard !(texting ? phoneUndeliverable : undeliverable) else { return try await stop("suppressed", "the address is undeliverable") }
        if texting && configuration.sms == nil { return try await stop("held", "not sent: no text message gateway configured") }
        if !texting && configuration.mail == nil { return try await stop("held", "not sent: no mail server configured") }
        let data = (try? JSONDecoder().decode([String: String].self, from: Data(dataText.utf8))) ?? [:]
        let district = try await DistrictSettings.current(on: db)
        let tokens = try await LinkTokens.load(on: db)
        let facts = MessageFacts(district: district, language: language)
        guard var values = try await facts.values(template, data, tokens: tokens, base: configuration.publicURL, on: db)
        else { return try await stop("suppressed", "no longer relevant") }
        // Links open their page in the message's language.
        let unsubscribe = "\(configuration.publicURL)/unsubscribe/\(tokens.token(.unsubscribe, id))?lang=\(language)"
        values["district"] = district.name
        values["unsubscribe_link"] = unsubscribe
        guard let text = try await configuration.texts.text(template, language: language, on: db),
            let footer = try await configuration.texts.text("footer", language: language, on: db)
        else { return try await stop("failed", "no text for \(template)") }
        try await db.query("UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = \(id)")
        if texting {
            // A text is the subject and the message's own link, then how to stop: texts are short.
            let link = values.keys.filter { $0.hasSuffix("_link") && $0 != "unsubscribe_link" }.sorted().first.flatMap { values[$0] }
            let stopText = try await configuration.texts.text("sms_stop", language: language, on: db)
            let parts = [MessageTexts.fill(text.subject, values), link, stopText.map { MessageTexts.fill($0.body, values) }]
            return .text(
                SMSGateway.Message(id: "chorus-message-\(id)", to: address, text: parts.compactMap { $0 }.joined(separator: "\n"), language: language)
            )
        }
        guard let transport = configuration.mail else { return .done }
        // The email's own parts: the body with its footer, its links, the Message-ID's host.
        let body = text.body + "\n\n--\n" + footer.body
        let links = Set(values.keys.filter { $0.hasSuffix("_link") })
        let host = URLComponents(string: configuration.publicURL)?.host ?? "chorus.invalid"
        return .send(
            MailMessage(
                from: transport.settings.from,
                to: name.map { "\(Self.displayName($0)) <\(address)>" } ?? address,
                replyTo: transport.settings.replyTo,
                subject: MessageTexts.fill(text.subject, values),
                text: MessageTexts.fill(body, values),
                html: MessageTexts.html(body, values, links: links),
                messageID: "<chorus-message-\(id)@\(host)>",
                unsubscribe: unsubscribe
            )
        )
    }

    /// A name as a display name: an encoded word beyond ASCII, else quoted, without what would
    /// end the quote.
    static func displayName(_ name: String) -> String {
        let clean = name.filter { $0 != "\"" && $0 != "\\" && $0 != "<" && $0 != ">" }
        return clean.unicodeScalars.allSatisfy(\.isASCII) ? "\"\(clean)\"" : MailMessage.encodedWord(clean)
    }
}
