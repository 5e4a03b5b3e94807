import Engagement
import Foundation
import HTTPTypes
import Postgres
import PostgresTesting
import Testing

/// Issue 16, build 6: an event's public page and its self check-in over HTTP. Bad input gets
/// the form again naming the field, a check-in outside its window or with a forged token a
/// friendly page, and none of them stores anything.
@Suite("Event pages: RSVP and self check-in (HTTP + PostgreSQL)")
struct EventPageTests {
    func event(_ api: APIFixture, _ initiative: Int64, startsIn: TimeInterval) async throws -> Event {
        try await api.database.withTransaction { db in
            try await Events().create(
                .init(
                    title: Translated(["en": "Math night", "es": "Noche de matemáticas"]),
                    kind: "family_night",
                    initiativeIDs: [initiative],
                    schoolID: nil,
                    location: "Gym",
                    startsAt: Date().addingTimeInterval(startsIn),
                    endsAt: Date().addingTimeInterval(startsIn + 7200),
                    capacity: nil,
                    languages: ["so"]
                ),
                recordedBy: nil,
                on: db
            )
        }
    }

    func count(_ api: APIFixture, _ table: String) async throws -> Int {
        try await api.database.query("SELECT count(*) FROM \(unsafeSQL: table)").one().decode(Int.self, at: 0)
    }

    @Test func anRSVPWithABadPartySizeIsAskedAgainAndAGoodOneIsStored() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let tonight = try await event(api, seed.initiative, startsIn: 1800)
            var visitor = Visitor(api: api)
            let page = try await visitor.get("/events/\(tonight.id)?lang=es")
            #expect(page.status == .ok && page.html.contains("Noche de matemáticas") && page.html.contains("somalí"))
            #expect(page.html.contains(#"action="/events/\#(tonight.id)?lang=es""#))
            let bad = try await visitor.post(
                "/events/\(tonight.id)?lang=es",
                [("csrf", try await visitor.token()), ("group", "families"), ("party_size", "<many>"), ("contact_name", "Lu <b>")]
            )
            #expect(bad.status == .unprocessableContent && bad.html.contains("Indique cuántas personas vienen"))
            #expect(bad.html.contains(##"href="#party-size""##) && bad.html.contains("&lt;many&gt;") && bad.html.contains("Lu &lt;b&gt;"))
            #expect(try await count(api, "event_rsvps") == 0)
            let good = try await visitor.post(
                "/events/\(tonight.id)?lang=es",
                [("csrf", try await visitor.token()), ("group", "families"), ("party_size", "2")]
            )
            #expect(good.status == .ok && good.html.contains("¡Gracias!"))
            #expect(try await count(api, "event_rsvps") == 1)
            #expect(try await visitor.get("/events/999999").status == .notFound)
            #expect(try await visitor.get("/events/x").status != .internalServerError)
        }
    }

    @Test func selfCheckInNeedsTheSignedLinkAndItsWindow() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let tonight = try await event(api, seed.initiative, startsIn: 1800)
            let nextWeek = try await event(api, seed.initiative, startsIn: 7 * 86_400)
            let tokens = try await api.database.withConnection { try await LinkTokens.load(on: $0) }
            var visitor = Visitor(api: api)
            // Forged, another kind's, or another event's MAC: not found, nothing stored.
            let mac = tokens.token(.checkIn, tonight.id).split(separator: "-", maxSplits: 1)[1]
            for bad in ["/checkin/\(nextWeek.id)-\(mac)", "/checkin/\(tokens.token(.unsubscribe, tonight.id))", "/checkin/%ff", "/checkin/1"] {
                #expect(try await visitor.get(bad).status == .notFound, "\(bad)")
                #expect(try await visitor.post(bad, [("group", "families")]).status == .notFound, "\(bad)")
            }
            // Next week's event: closed, in the visitor's language, GET and POST alike.
            let early = "/checkin/\(tokens.token(.checkIn, nextWeek.id))"
            let closed = try await visitor.get(early + "?lang=es")
            #expect(closed.status == .conflict && closed.html.contains("El registro de llegada está cerrado"))
            #expect(try await visitor.post(early, [("group", "families")]).status == .conflict)
            // Tonight's: the form; a missing group asks again; a good one is attendance.
            let open = "/checkin/\(tokens.token(.checkIn, tonight.id))"
            #expect(try await visitor.get(open + "?lang=en").html.contains(#"action="\#(open)?lang=en""#))
            let missing = try await visitor.post(open, [("csrf", try await visitor.token()), ("group", "aliens")])
            #expect(missing.status == .unprocessableContent && missing.html.contains(##"href="#group""##))
            #expect(try await count(api, "attendance") == 0)
            let done = try await visitor.post(open, [("csrf", try await visitor.token()), ("group", "students")])
            #expect(done.status == .ok && done.html.contains("You are checked in"))
            #expect(
                try await api.database.query("SELECT count(*) FROM attendance WHERE self_checkin AND stakeholder_group = 'students'").one()
                    .decode(Int.self, at: 0) == 1
            )
        }
    }
}
