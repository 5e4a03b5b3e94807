import Engagement
import Foundation
import HTTPTypes
import Postgres
import Testing

@testable import Server

/// Issue 16: the console's messages page shows the outbox without addresses, says when nothing
/// can be sent, and lets administrators change a text, audited and then used.
@Suite("Console: messages (HTTP + PostgreSQL)")
struct ConsoleMessagesTests {
    @Test func theOutboxIsShownWithoutAddressesAndAnAdminChangesAText() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let starts = Date().addingTimeInterval(5 * 86_400)
            try await api.database.withTransaction { db in
                let opportunity = try await Volunteering().createOpportunity(
                    .init(
                        initiativeID: seed.initiative,
                        title: Translated(["en": "Library"]),
                        description: Translated(),
                        schoolID: nil,
                        shifts: [.init(startsAt: starts, endsAt: starts.addingTimeInterval(3600), capacity: 3)]
                    ),
                    on: db
                )
                _ = try await Volunteering().signUp(
                    shiftID: opportunity.shifts[0].id,
                    group: .families,
                    contact: .init(name: "Gina Private", email: "gina.private@example.org", consent: true),
                    on: db
                )
            }
            // No mail server here: the worker holds it.
            let id = try await api.database.query("SELECT id FROM outbox").one().decode(Int64.self, at: 0)
            try await MessageDelivery(database: api.database, configuration: .held).deliver(id)

            let admin = try await ConsoleSignInTests.account(api, email: "ana@district.example", role: .admin)
            var visitor = Visitor(api: api)
            #expect(try await ConsoleSignInTests.signIn(&visitor, email: admin.email).status == .seeOther)
            let page = try await visitor.get("/console/messages?lang=en")
            #expect(page.status == .ok)
            #expect(page.html.contains("1 message(s) not sent: no mail server configured"))
            #expect(page.html.contains("Sign-up confirmed (en)") && page.html.contains("Not sent (held)"))
            #expect(!page.html.contains("gina.private") && !page.html.contains("Gina Private"))
            #expect(try await visitor.get("/console/messages?lang=en&state=held").html.contains("<td>\(id)</td>"))
            #expect(try await visitor.get("/console/messages?lang=en&state=sent").html.contains("<td>\(id)</td>") == false)

            // An administrator's own words for the confirmation, in Spanish; audited; then used.
            let saved = try await visitor.post(
                "/console/messages/texts?lang=en",
                [
                    ("csrf", try await visitor.token()), ("template", "signup_confirmed"), ("language", "es"),
                    ("subject", "¡Gracias! {opportunity}"), ("body", "Nos vemos {when}."),
                ]
            )
            #expect(saved.status == .seeOther, "\(saved.html)")
            let stored = try await api.database.withConnection {
                try await MessageStrings.texts().text("signup_confirmed", language: "es", on: $0)
            }
            #expect(stored == MessageText(subject: "¡Gracias! {opportunity}", body: "Nos vemos {when}."))
            #expect(try await api.count("audit_log WHERE entity = 'message_text' AND entity_id = 'signup_confirmed/es'") == 1)
            // A bad one changes nothing and says why.
            let bad = try await visitor.post(
                "/console/messages/texts?lang=en",
                [("csrf", try await visitor.token()), ("template", "signup_confirmed"), ("language", "es"), ("subject", " "), ("body", "x")]
            )
            #expect(bad.status == .unprocessableContent)
            #expect(try await api.count("audit_log WHERE entity = 'message_text'") == 1)
            let unknown = try await visitor.post(
                "/console/messages/texts?lang=en",
                [("csrf", try await visitor.token()), ("template", "nope"), ("language", "xx"), ("subject", "a"), ("body", "b")]
            )
            #expect(unknown.status == .unprocessableContent)
        }
    }
}
