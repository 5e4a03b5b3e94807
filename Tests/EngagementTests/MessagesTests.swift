import Engagement
import Foundation
import Postgres
import PostgresTesting
import Testing

/// Issue 16, A1 and A5: volunteers' messages through a real SMTP server on loopback (aiosmtpd)
/// and Debian's msmtp, read back from what the server received.
@Suite("Messages to volunteers (PostgreSQL + msmtp + a loopback SMTP server)")
struct MessagesTests {
    static let texts = MessageTexts { template, language in
        let table: [String: [String: MessageText]] = [
            "en": [
                "signup_confirmed": .init(subject: "Signed up: {opportunity}", body: "Thanks from {district}.\n{when}\nCancel: {cancel_link}"),
                "signup_waitlisted": .init(subject: "Waitlisted: {opportunity}", body: "Leave the waitlist: {cancel_link}"),
                "signup_promoted": .init(subject: "A place opened: {opportunity}", body: "{when}\nCancel: {cancel_link}"),
                "signup_reminder": .init(subject: "Reminder: {opportunity}", body: "{when} at {where}\nCancel: {cancel_link}"),
                "footer": .init(subject: "", body: "{district}. Stop: {unsubscribe_link}"),
            ],
            "es": [
                "signup_confirmed": .init(subject: "Inscrito: {opportunity}", body: "Gracias, {district}.\n{when}\nCancelar: {cancel_link}"),
                "footer": .init(subject: "", body: "{district}. Dejar de recibir: {unsubscribe_link}"),
            ],
        ]
        return table[language]?[template]
    }

    struct World {
        let db: PostgresClient
        let sink: SMTPSink
        let delivery: MessageDelivery
        let shift: Int64

        /// Delivers every message waiting, as the job would, and returns how many went.
        @discardableResult
        func deliverPending() async throws -> Int {
            let ids = try await db.query("SELECT id FROM outbox WHERE state = 'pending' ORDER BY id").map { try $0.decode(Int64.self, at: 0) }
            for id in ids { try await delivery.deliver(id) }
            return ids.count
        }

        func signUp(_ email: String, language: String, consent: Bool = true) async throws -> Signup {
            try await db.withTransaction { db in
                try await Volunteering().signUp(
                    shiftID: shift,
                    group: .families,
                    contact: .init(name: "Ana Núñez", email: email, consent: consent),
                    language: language,
                    on: db
                )
            }
        }
    }

    func withWorld(_ body: (World) async throws -> Void) async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let starts = Date().addingTimeInterval(30 * 3600)
            let shift = try await db.withTransaction { tx in
                let initiative = try await ReferenceData().createInitiative(.init(slug: "garden", title: Translated(["en": "Garden"])), on: tx)
                let opportunity = try await Volunteering().createOpportunity(
                    .init(
                        initiativeID: initiative.id,
                        title: Translated(["en": "School garden", "es": "Huerto escolar"]),
                        description: Translated(),
                        schoolID: nil,
                        shifts: [.init(startsAt: starts, endsAt: starts.addingTimeInterval(7200), capacity: 1, waitlist: true)]
                    ),
                    on: tx
                )
                return opportunity.shifts[0].id
            }
            let mail = Msmtp(
                settings: try .init(url: sink.url, from: "Springfield Schools <chorus@district.example>", replyTo: "help@district.example")
            )
            let delivery = MessageDelivery(
                database: db,
                configuration: .init(mail: mail, publicURL: "https://chorus.district.example", texts: Self.texts)
            )
            try await body(World(db: db, sink: sink, delivery: delivery, shift: shift))
        }
    }

    @Test func signUpRemindCancelPromoteAndUnsubscribe() async throws {
        try await withWorld { world in
            let ana = try await world.signUp("ana@example.org", language: "es")
            let ben = try await world.signUp("ben@example.org", language: "en")
            #expect(ana.status == .confirmed && ben.status == .waitlisted)
            #expect(try await world.deliverPending() == 2)
            var mails = try await world.sink.wait(for: 2)
            #expect(mails.count == 2)
            let confirmation = try #require(mails.first { $0.recipients == ["ana@example.org"] })
            // In the sign-up's language, the district's name, the shift's local time, the cancel link.
            #expect(confirmation.subject == "Inscrito: Huerto escolar")
            #expect(confirmation.text.contains("Gracias, School District."))
            #expect(confirmation.headers["to"] == "=?UTF-8?B?\(Data("Ana Núñez".utf8).base64EncodedString())?= <ana@example.org>")
            #expect(confirmation.headers["from"] == "Springfield Schools <chorus@district.example>")
            #expect(confirmation.headers["reply-to"] == "help@district.example")
            #expect(confirmation.html.contains("<a href=\"https://chorus.district.example/volunteer/signups/"))
            let waitlisted = try #require(mails.first { $0.recipients == ["ben@example.org"] })
            #expect(waitlisted.subject == "Waitlisted: School garden")
            // RFC 8058 on every message.
            for mail in mails {
                #expect(mail.headers["list-unsubscribe"]?.hasPrefix("<https://chorus.district.example/unsubscribe/") == true)
                #expect(mail.headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click")
                #expect(mail.headers["message-id"]?.hasPrefix("<chorus-message-") == true)
            }

            // The reminder at the lead time (24 h before, time simulated), once.
            let shiftStart = try await world.db.query("SELECT starts_at FROM volunteer_shifts WHERE id = \(world.shift)").one()
                .decode(Date.self, at: 0)
            #expect(
                try await world.db.withTransaction { try await VolunteerReminders().schedule(now: shiftStart.addingTimeInterval(-25 * 3600), on: $0) }
                    == 0
            )
            let reminders = try await world.db.withTransaction {
                try await VolunteerReminders().schedule(now: shiftStart.addingTimeInterval(-23 * 3600), on: $0)
            }
            #expect(reminders == 1)  // Ana only: Ben waits
            #expect(
                try await world.db.withTransaction { try await VolunteerReminders().schedule(now: shiftStart.addingTimeInterval(-22 * 3600), on: $0) }
                    == 0
            )
            try await world.deliverPending()
            mails = try await world.sink.wait(for: 3)
            #expect(mails.count == 3)
            // Spanish has no reminder text of its own here: the English one, never nothing.
            #expect(mails.last?.subject == "Reminder: Huerto escolar" && mails.last?.recipients == ["ana@example.org"])

            // Ana's cancel link frees the place; Ben is confirmed and told.
            let cancel = try #require(confirmation.link(startingWith: "https://chorus.district.example/volunteer/signups/"))
            let tokens = try await world.db.withConnection { try await LinkTokens.load(on: $0) }
            let cancelToken = String(cancel.split(separator: "/").last?.split(separator: "?").first ?? "")
            #expect(cancel.hasSuffix("?lang=es"))
            let signupID = try #require(tokens.id(.cancelSignup, from: cancelToken))
            #expect(signupID == ana.id)
            #expect(tokens.id(.cancelSignup, from: "\(ben.id)-" + (cancelToken.split(separator: "-", maxSplits: 1).last ?? "")) == nil)  // not Ben's
            #expect(try await world.db.withTransaction { try await Volunteering().cancelOwn(signupID: signupID, on: $0) })
            #expect(try await world.db.withTransaction { try await Volunteering().cancelOwn(signupID: signupID, on: $0) } == false)
            #expect(try await world.db.withConnection { try await Volunteering().signup(id: ben.id, on: $0) }.status == .confirmed)
            try await world.deliverPending()
            mails = try await world.sink.wait(for: 4)
            #expect(mails.last?.subject == "A place opened: School garden" && mails.last?.recipients == ["ben@example.org"])

            // Ben unsubscribes (the one-click link): his reminder is never written.
            let unsubscribe = try #require(mails.last?.headers["list-unsubscribe"]?.trimmingCharacters(in: CharacterSet(charactersIn: "<>")))
            let messageID = try #require(
                tokens.id(.unsubscribe, from: String(unsubscribe.split(separator: "/").last?.split(separator: "?").first ?? ""))
            )
            #expect(try await world.db.withTransaction { try await Consents().unsubscribe(messageID: messageID, on: $0) } == .volunteering)
            #expect(
                try await world.db.withTransaction { try await VolunteerReminders().schedule(now: shiftStart.addingTimeInterval(-23 * 3600), on: $0) }
                    == 0
            )
            #expect(try await world.deliverPending() == 0)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try world.sink.received().count == 4)
            let sent = try await world.db.query("SELECT count(*) FROM outbox WHERE state = 'sent'").one().decode(Int.self, at: 0)
            #expect(sent == 4)
        }
    }

    @Test func noConsentNoMessageAndABounceStopsTheAddress() async throws {
        try await withWorld { world in
            // Consent for events only: a volunteering reminder finds nobody to write to.
            try await world.db.withTransaction { db in
                let participant = try await Participants().participant(for: .init(email: "carla@example.org", consent: true), on: db)
                try await Consents().grant(
                    participantID: participant,
                    purpose: .events,
                    contact: .init(email: "carla@example.org", consent: true),
                    language: "en",
                    on: db
                )
                let written = try await Outbox().enqueue(
                    .init(participantID: participant, purpose: .volunteering, template: "signup_reminder", data: ["signup": "1"]),
                    on: db
                )
                #expect(written.isEmpty)
            }
            // A refusal for good: failed, the address marked, and nothing more is written to it.
            let bounced = try await world.signUp("bounce@example.org", language: "en")
            #expect(try await world.deliverPending() == 1)
            let row = try await world.db.query("SELECT state::text, reason FROM outbox ORDER BY id DESC LIMIT 1").one()
            #expect(try row.decode(String.self, at: 0) == "failed")
            #expect(try row.decode(String?.self, at: 1)?.contains("550") == true)
            #expect(try row.decode(String?.self, at: 1)?.contains("bounce@") == false)  // no address in the reason
            let marked = try await world.db.query(
                "SELECT email_undeliverable_at IS NOT NULL FROM participant_contacts c JOIN signups s ON s.participant_id = c.participant_id WHERE s.id = \(bounced.id)"
            ).one().decode(Bool.self, at: 0)
            #expect(marked)
            let shiftStart = try await world.db.query("SELECT starts_at FROM volunteer_shifts WHERE id = \(world.shift)").one().decode(
                Date.self,
                at: 0
            )
            #expect(
                try await world.db.withTransaction { try await VolunteerReminders().schedule(now: shiftStart.addingTimeInterval(-3600), on: $0) } == 0
            )
            #expect(try world.sink.received().isEmpty)
        }
    }

    @Test func withoutAMailServerMessagesAreHeldThenSent() async throws {
        try await withWorld { world in
            let held = MessageDelivery(database: world.db, configuration: .held)
            _ = try await world.signUp("dana@example.org", language: "en")
            let id = try await world.db.query("SELECT id FROM outbox").one().decode(Int64.self, at: 0)
            try await held.deliver(id)
            let row = try await world.db.query("SELECT state::text, reason FROM outbox WHERE id = \(id)").one()
            #expect(try row.decode(String.self, at: 0) == "held")
            #expect(try row.decode(String?.self, at: 1) == "not sent: no mail server configured")
            #expect(try await Outbox().recent(state: "held", limit: 10, on: world.db.withConnection { $0 }).count == 1)
            // A worker with a mail server releases it, and it goes.
            #expect(try await world.db.withTransaction { try await Outbox().releaseHeld(channels: [.email], on: $0) } == 1)
            #expect(try await world.deliverPending() == 1)
            #expect(try await world.sink.wait(for: 1).count == 1)
        }
    }
}
