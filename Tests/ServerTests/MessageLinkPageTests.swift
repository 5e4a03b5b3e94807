import Engagement
import Foundation
import HTTPTypes
import Postgres
import PostgresTesting
import Testing

/// The pages behind the links in messages (issue 16): a GET shows and changes nothing, the POST
/// acts once, a token for anything else is a friendly 404.
@Suite("Cancel and unsubscribe links (HTTP + PostgreSQL)")
struct MessageLinkPageTests {
    @Test func aVolunteerCancelsByTheLinkAndUnsubscribesWithOneClick() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let starts = Date().addingTimeInterval(3 * 86_400)
            let (signup, waiting) = try await api.database.withTransaction { db in
                let opportunity = try await Volunteering().createOpportunity(
                    .init(
                        initiativeID: seed.initiative,
                        title: Translated(["en": "Book fair", "es": "Feria del libro"]),
                        description: Translated(),
                        schoolID: seed.school,
                        shifts: [.init(startsAt: starts, endsAt: starts.addingTimeInterval(3600), capacity: 1)]
                    ),
                    on: db
                )
                let shift = opportunity.shifts[0].id
                return (
                    try await Volunteering().signUp(
                        shiftID: shift,
                        group: .families,
                        contact: .init(email: "eva@example.org", consent: true),
                        language: "es",
                        on: db
                    ),
                    try await Volunteering().signUp(
                        shiftID: shift,
                        group: .families,
                        contact: .init(email: "finn@example.org", consent: true),
                        on: db
                    )
                )
            }
            let tokens = try await api.database.withConnection { try await LinkTokens.load(on: $0) }
            let cancel = "/volunteer/signups/\(tokens.token(.cancelSignup, signup.id))"
            let page = try await api.call(.get, cancel + "?lang=es")
            #expect(page.status == .ok && page.text.contains("Cancelar mi lugar") && page.text.contains("Feria del libro"))
            #expect(try await api.database.withConnection { try await Volunteering().signup(id: signup.id, on: $0) }.status == .confirmed)
            let done = try await api.call(.post, cancel + "?lang=es", raw: Data(), contentType: "application/x-www-form-urlencoded")
            #expect(done.status == .ok && done.text.contains("Su lugar está cancelado"))
            #expect(try await api.database.withConnection { try await Volunteering().signup(id: waiting.id, on: $0) }.status == .confirmed)
            let again = try await api.call(.post, cancel, raw: Data(), contentType: "application/x-www-form-urlencoded")
            #expect(again.status == .conflict && again.text.contains("Nothing to cancel"))
            // Tokens for another id, or forged, or of the other kind: not found, nothing changed.
            for bad in [
                "/volunteer/signups/\(waiting.id)-AAAAAAAAAAAAAAAAAAAAAA", "/volunteer/signups/\(tokens.token(.unsubscribe, waiting.id))",
                "/volunteer/signups/%ff", "/unsubscribe/1-x", "/unsubscribe/\(tokens.token(.cancelSignup, 1))",
            ] {
                #expect(try await api.call(.get, bad).status == .notFound, "\(bad)")
                #expect(try await api.call(.post, bad, raw: Data(), contentType: "application/x-www-form-urlencoded").status == .notFound, "\(bad)")
            }
            #expect(try await api.database.withConnection { try await Volunteering().signup(id: waiting.id, on: $0) }.status == .confirmed)

            // Finn's promotion message carries the one-click link; a mail provider POSTs it.
            let message = try await api.database.query(
                "SELECT id FROM outbox WHERE template = 'signup_promoted' AND participant_id = (SELECT participant_id FROM signups WHERE id = \(waiting.id))"
            ).one().decode(Int64.self, at: 0)
            let unsubscribe = "/unsubscribe/\(tokens.token(.unsubscribe, message))"
            #expect(try await api.call(.get, unsubscribe).text.contains("Stop these messages"))
            func active() async throws -> Int {
                try await api.database.query(
                    "SELECT count(*) FROM contact_consents WHERE withdrawn_at IS NULL AND participant_id = (SELECT participant_id FROM signups WHERE id = \(waiting.id))"
                ).one().decode(Int.self, at: 0)
            }
            #expect(try await active() == 1)  // a GET changes nothing
            let oneClick = try await api.call(
                .post,
                unsubscribe,
                raw: Data("List-Unsubscribe=One-Click".utf8),
                contentType: "application/x-www-form-urlencoded"
            )
            #expect(oneClick.status == .ok && oneClick.text.contains("You are unsubscribed"))
            #expect(try await active() == 0)
        }
    }
}
