import Engagement
import Foundation
import Postgres
import PostgresTesting
import Testing

/// Issue 16, build 6: RSVPs with a consented contact (confirmed and reminded by email through
/// msmtp to a loopback SMTP server), places, the self check-in's window, and a check-in linked to
/// the RSVP with the same contact.
@Suite("Event RSVPs and self check-in (PostgreSQL + msmtp + a loopback SMTP server)")
struct EventRSVPTests {
    static let texts = MessageTexts { template, language in
        let table: [String: MessageText] = [
            "rsvp_confirmed": .init(subject: "See you at {event}", body: "{when}\n{where}\nComing: {party}"),
            "event_reminder": .init(subject: "Reminder: {event}", body: "{when}\nComing: {party}"),
            "footer": .init(subject: "", body: "{district}. Stop: {unsubscribe_link}"),
        ]
        return language == "en" ? table[template] : nil
    }

    func withEvent(capacity: Int? = 5, reminderHours: Int? = 24, _ body: (PostgresClient, Event) async throws -> Void) async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let starts = Date().addingTimeInterval(48 * 3600)
            let event = try await db.withTransaction { tx in
                let initiative = try await ReferenceData().createInitiative(.init(slug: "nights", title: Translated(["en": "Family nights"])), on: tx)
                return try await Events().create(
                    .init(
                        title: Translated(["en": "Math night", "es": "Noche de matemáticas"]),
                        kind: "family_night",
                        initiativeIDs: [initiative.id],
                        schoolID: nil,
                        location: "Gym",
                        startsAt: starts,
                        endsAt: starts.addingTimeInterval(7200),
                        capacity: capacity,
                        languages: ["es", "so"],
                        reminderHours: reminderHours
                    ),
                    recordedBy: nil,
                    on: tx
                )
            }
            #expect(event.languages == ["es", "so"] && event.reminderHours == reminderHours)
            try await body(db, event)
        }
    }

    func rsvp(_ db: PostgresClient, _ event: Event, party: Int, email: String?, now: Date = Date()) async throws -> EventRSVPs.RSVP {
        try await db.withTransaction { tx in
            try await EventRSVPs().rsvp(
                eventID: event.id,
                group: .families,
                partySize: party,
                contact: email.map { ContactDetails(email: $0, consent: true) },
                language: "en",
                now: now,
                on: tx
            )
        }
    }

    @Test func anRSVPIsConfirmedAndRemindedByEmailOnce() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        try await withEvent { db, event in
            let answer = try await rsvp(db, event, party: 3, email: "ana@example.org")
            #expect(answer.hasContact && answer.partySize == 3)
            _ = try await rsvp(db, event, party: 1, email: nil)  // no contact: nothing to send
            let delivery = MessageDelivery(
                database: db,
                configuration: .init(
                    mail: Msmtp(settings: try .init(url: sink.url, from: "chorus@district.example", replyTo: nil)),
                    publicURL: "https://chorus.district.example",
                    texts: Self.texts
                )
            )
            func deliverPending() async throws -> Int {
                let ids = try await db.query("SELECT id FROM outbox WHERE state = 'pending' ORDER BY id").map { try $0.decode(Int64.self, at: 0) }
                for id in ids { try await delivery.deliver(id) }
                return ids.count
            }
            #expect(try await deliverPending() == 1)
            var mails = try await sink.wait(for: 1)
            #expect(mails.first?.subject == "See you at Math night" && mails.first?.recipients == ["ana@example.org"])
            #expect(mails.first?.text.contains("Coming: 3") == true && mails.first?.text.contains("Gym") == true)
            #expect(mails.first?.headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click")

            // The reminder at the lead time (time simulated), once; none before it.
            let reminders = EventReminders()
            #expect(try await db.withTransaction { try await reminders.schedule(now: event.startsAt.addingTimeInterval(-25 * 3600), on: $0) } == 0)
            #expect(try await db.withTransaction { try await reminders.schedule(now: event.startsAt.addingTimeInterval(-23 * 3600), on: $0) } == 1)
            #expect(try await db.withTransaction { try await reminders.schedule(now: event.startsAt.addingTimeInterval(-22 * 3600), on: $0) } == 0)
            #expect(try await deliverPending() == 1)
            mails = try await sink.wait(for: 2)
            #expect(mails.last?.subject == "Reminder: Math night")

            // Unsubscribed from events: no reminder for the next RSVP either.
            let participant = try await db.query("SELECT participant_id FROM event_rsvps WHERE id = \(answer.id)").one().decode(Int64.self, at: 0)
            try await db.withTransaction { try await Consents().withdraw(participantID: participant, purpose: .events, on: $0) }
            try await db.query("DELETE FROM outbox")
            #expect(try await db.withTransaction { try await reminders.schedule(now: event.startsAt.addingTimeInterval(-23 * 3600), on: $0) } == 0)
        }
    }

    @Test func placesAreCountedByPartyAndASecondAnswerReplacesTheFirst() async throws {
        try await withEvent(capacity: 5) { db, event in
            _ = try await rsvp(db, event, party: 3, email: "ana@example.org")
            // Ana changes her answer: still one RSVP, now for 4.
            let again = try await rsvp(db, event, party: 4, email: "ANA@example.org")
            #expect(try await db.withConnection { try await EventRSVPs().rsvps(eventID: event.id, on: $0) }.map(\.partySize) == [4])
            #expect(again.partySize == 4)
            await #expect(throws: EngagementError.self) { _ = try await rsvp(db, event, party: 2, email: nil) }
            _ = try await rsvp(db, event, party: 1, email: nil)
            await #expect(throws: EngagementError.self) { _ = try await rsvp(db, event, party: 1, email: nil) }
            await #expect(throws: EngagementError.self) { _ = try await rsvp(db, event, party: 0, email: nil) }
            #expect(try await db.query("SELECT count(*) FROM event_rsvps").one().decode(Int.self, at: 0) == 2)
        }
    }

    @Test func selfCheckInOpensAnHourBeforeAndClosesTwoHoursAfterAndFindsTheRSVP() async throws {
        try await withEvent { db, event in
            let answer = try await rsvp(db, event, party: 2, email: "ben@example.org")
            func checkIn(at now: Date, email: String?) async throws -> Attendance {
                try await db.withTransaction { tx in
                    try await EventRSVPs().selfCheckIn(
                        eventID: event.id,
                        group: .families,
                        contact: email.map { ContactDetails(email: $0, consent: true) },
                        now: now,
                        on: tx
                    )
                }
            }
            await #expect(throws: EngagementError.self) { _ = try await checkIn(at: event.startsAt.addingTimeInterval(-3700), email: nil) }
            await #expect(throws: EngagementError.self) { _ = try await checkIn(at: event.endsAt.addingTimeInterval(7300), email: nil) }
            let early = try await checkIn(at: event.startsAt.addingTimeInterval(-3500), email: nil)
            #expect(early.rsvpID == nil)
            let ben = try await checkIn(at: event.startsAt.addingTimeInterval(600), email: "Ben@Example.org")
            #expect(ben.rsvpID == answer.id)
            // The same person again counts again, but the RSVP was taken once.
            let twice = try await checkIn(at: event.endsAt.addingTimeInterval(7100), email: "ben@example.org")
            #expect(twice.rsvpID == nil)
            let rsvps = try await db.withConnection { try await EventRSVPs().rsvps(eventID: event.id, on: $0) }
            #expect(rsvps.map(\.checkedIn) == [true])
            let checkIns = try await db.withConnection { try await EventRSVPs().recentCheckIns(eventID: event.id, on: $0) }
            #expect(checkIns.map(\.rsvp) == [false, true, false] && checkIns.allSatisfy(\.selfCheckIn))
            #expect(try await db.withConnection { try await Events().event(id: event.id, on: $0) }.attendanceTotal == 3)

            // A cancelled event takes neither.
            try await db.withTransaction { _ = try await Events().cancel(id: event.id, reason: "Snow", on: $0) }
            await #expect(throws: EngagementError.self) { _ = try await checkIn(at: event.startsAt, email: nil) }
            await #expect(throws: EngagementError.self) { _ = try await rsvp(db, event, party: 1, email: nil) }
        }
    }
}
