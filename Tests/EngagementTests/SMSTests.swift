import Crypto
import Engagement
import Foundation
import Postgres
import PostgresTesting
import Testing

/// Issue 16, build 3: text messages through the district's gateway, a signed JSON POST to a
/// receiver on loopback (Deploy/sms_sink.py); opt-in only; refusals for good mark the number.
@Suite("Text messages through the gateway (PostgreSQL + a loopback HTTP receiver)")
struct SMSTests {
    static let secret = "a shared secret of the district"
    static let texts = MessageTexts { template, language in
        let table: [String: MessageText] = [
            "signup_confirmed": .init(subject: "Signed up: {opportunity}", body: "{when}\nCancel: {cancel_link}"),
            "footer": .init(subject: "", body: "{district}. Stop: {unsubscribe_link}"),
            "sms_stop": .init(subject: "", body: "Stop texts: {unsubscribe_link}"),
        ]
        return language == "en" ? table[template] : nil
    }

    func withShift(_ body: (PostgresClient, Int64) async throws -> Void) async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let starts = Date().addingTimeInterval(3 * 86_400)
            let shift = try await db.withTransaction { tx in
                let initiative = try await ReferenceData().createInitiative(.init(slug: "garden", title: Translated(["en": "Garden"])), on: tx)
                return try await Volunteering().createOpportunity(
                    .init(
                        initiativeID: initiative.id,
                        title: Translated(["en": "School garden"]),
                        description: Translated(),
                        schoolID: nil,
                        shifts: [.init(startsAt: starts, endsAt: starts.addingTimeInterval(7200), capacity: 10)]
                    ),
                    on: tx
                ).shifts[0].id
            }
            try await body(db, shift)
        }
    }

    func signUp(_ db: PostgresClient, shift: Int64, phone: String, texts: Bool) async throws {
        _ = try await db.withTransaction {
            try await Volunteering().signUp(
                shiftID: shift,
                group: .families,
                contact: .init(phone: phone, consent: true, textMessages: texts),
                on: $0
            )
        }
    }

    func deliverAll(_ db: PostgresClient, _ delivery: MessageDelivery) async throws -> [String: String] {
        var outcomes: [String: String] = [:]
        for id in try await db.query("SELECT id FROM outbox WHERE state = 'pending' ORDER BY id").map({ try $0.decode(Int64.self, at: 0) }) {
            do { try await delivery.deliver(id) } catch { outcomes["\(id)"] = "retry" }
        }
        return outcomes
    }

    @Test func aConsentedTextIsSignedDeliveredOnceAndRefusalsAreHonoured() async throws {
        let sink = try await SMSSink.start()
        defer { sink.stop() }
        try await withShift { db, shift in
            try await signUp(db, shift: shift, phone: "+1 555 201 3344", texts: true)
            try await signUp(db, shift: shift, phone: "+1 555 201 7788", texts: false)  // a phone, but no yes to texts
            try await signUp(db, shift: shift, phone: "+1 555 201 0000", texts: true)  // the gateway refuses for good
            try await signUp(db, shift: shift, phone: "+1 555 201 9999", texts: true)  // the gateway is busy
            #expect(try await db.query("SELECT count(*) FROM outbox WHERE channel = 'sms'").one().decode(Int.self, at: 0) == 3)
            let gateway = try SMSGateway(url: sink.url, secret: Self.secret)
            let delivery = MessageDelivery(
                database: db,
                configuration: .init(mail: nil, sms: gateway, publicURL: "https://chorus.district.example", texts: Self.texts)
            )
            let outcomes = try await deliverAll(db, delivery)
            #expect(outcomes.values.sorted() == ["retry"])
            let received = try sink.received()
            #expect(received.count == 1)
            let message = try #require(received.first)
            #expect(message.json["to"] as? String == "+1 555 201 3344" && message.json["language"] as? String == "en")
            let text = message.json["text"] as? String ?? ""
            #expect(text.hasPrefix("Signed up: School garden\nhttps://chorus.district.example/volunteer/signups/"))
            #expect(text.contains("\nStop texts: https://chorus.district.example/unsubscribe/"))
            // Signed: the receiver recomputes the HMAC of the timestamp and the body it got.
            let timestamp = try #require(message.headers["x-chorus-timestamp"])
            let expected = SMSGateway.signature(body: message.body, timestamp: timestamp, key: SymmetricKey(data: Data(Self.secret.utf8)))
            #expect(message.headers["x-chorus-signature"] == expected)
            #expect(
                message.headers["x-chorus-signature"]
                    != SMSGateway.signature(body: message.body, timestamp: timestamp, key: SymmetricKey(data: Data("another secret entirely".utf8)))
            )
            let id = try await db.query("SELECT id FROM outbox WHERE state = 'sent'").one().decode(Int64.self, at: 0)
            #expect(message.headers["idempotency-key"] == "chorus-message-\(id)" && message.json["id"] as? String == "chorus-message-\(id)")
            // Refused for good: failed, the number marked, nothing more written to it.
            let states = try await db.query(
                """
                SELECT c.phone, o.state::text, c.phone_undeliverable_at IS NOT NULL FROM outbox o
                JOIN participant_contacts c ON c.participant_id = o.participant_id ORDER BY c.phone
                """
            ).map { try $0.decode((String, String, Bool).self) }
            #expect(states.map(\.1) == ["failed", "sent", "pending"])
            #expect(states.map(\.2) == [true, false, false])
            // Delivered again (a retry after a crash): the message was sent, nothing goes twice.
            try await delivery.deliver(id)
            #expect(try sink.received().count == 1)
        }
    }

    @Test func withoutAGatewayTextsAreHeldAndReleasedWhenOneComes() async throws {
        try await withShift { db, shift in
            try await signUp(db, shift: shift, phone: "+1 555 201 3344", texts: true)
            let held = MessageDelivery(database: db, configuration: .init(mail: nil, publicURL: "https://x.example", texts: Self.texts))
            _ = try await deliverAll(db, held)
            #expect(
                try await db.query("SELECT state::text, reason FROM outbox").one().decode((String, String).self) == (
                    "held", "not sent: no text message gateway configured"
                )
            )
            #expect(try await db.withTransaction { try await Outbox().releaseHeld(channels: [.email], on: $0) } == 0)
            #expect(try await db.withTransaction { try await Outbox().releaseHeld(channels: [.sms], on: $0) } == 1)
        }
        #expect(throws: DeliveryFailure.self) { _ = try SMSGateway(url: "ftp://gateway.example", secret: Self.secret) }
        #expect(throws: DeliveryFailure.self) { _ = try SMSGateway(url: "https://gateway.example", secret: "short") }
    }
}
