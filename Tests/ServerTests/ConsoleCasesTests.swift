import Engagement
import Foundation
import HTTPTypes
import Postgres
import Testing

@testable import Server

/// Issue 17: the inbox and case pages in the console — critical first, a reply that answers the
/// case, routing rules added by an administrator, a liaison kept to their schools, and bad input
/// refused without a change.
@Suite("Console: inbox, cases and routing (HTTP + PostgreSQL)")
struct ConsoleCasesTests {
    @Test func inboxCaseReplyAndRouting() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            func comment(_ text: String, school: Int64? = nil) async throws -> Int64 {
                let receipt = try await api.database.withTransaction {
                    try await Submissions().submitFeedback(
                        .init(
                            initiativeID: seed.initiative,
                            schoolID: school,
                            group: .families,
                            language: "es",
                            comment: text,
                            contact: .init(email: "familia@example.org", consent: true)
                        ),
                        on: $0
                    )
                }
                try await TextScoring(database: api.database).score(.init(source: "feedback", id: receipt.id))
                return try await api.database.query("SELECT id FROM cases WHERE source_id = \(receipt.id) AND source = 'feedback'").one()
                    .decode(Int64.self, at: 0)
            }
            let calm = try await comment("El wifi de la biblioteca es lento", school: seed.school)
            let critical = try await comment("Hay una pistola en el baño")

            let admin = try await ConsoleSignInTests.account(api, email: "ana@district.example", role: .admin)
            var visitor = Visitor(api: api)
            #expect(try await ConsoleSignInTests.signIn(&visitor, email: admin.email).status == .seeOther)
            let inbox = try await visitor.get("/console/cases?lang=en")
            #expect(inbox.status == .ok)
            let html = inbox.html
            // Critical first; the address never shown.
            let criticalAt = try #require(html.range(of: "#\(critical)</a>"))
            let calmAt = try #require(html.range(of: "#\(calm)</a>"))
            #expect(criticalAt.lowerBound < calmAt.lowerBound)
            #expect(!html.contains("familia@example.org"))
            #expect(try await visitor.get("/console/cases?lang=en&critical=1").html.contains("#\(calm)</a>") == false)
            // A bad filter is a message, not an error page.
            let bad = try await visitor.get("/console/cases?lang=en&age=abc&sentiment=angry")
            #expect(bad.status == .ok && bad.html.contains("error-summary"))

            let page = try await visitor.get("/console/cases/\(calm)?lang=en")
            #expect(page.status == .ok && page.html.contains("El wifi de la biblioteca es lento"))
            #expect(page.html.contains("The family can be emailed a reply"))
            // An empty reply is refused and changes nothing.
            let empty = try await visitor.post("/console/cases/\(calm)/reply?lang=en", [("csrf", try await visitor.token()), ("reply", " ")])
            #expect(empty.status == .unprocessableContent)
            #expect(try await api.count("case_history WHERE case_id = \(calm) AND kind = 'reply'") == 0)
            let replied = try await visitor.post(
                "/console/cases/\(calm)/reply?lang=en",
                [("csrf", try await visitor.token()), ("reply", "Gracias, lo revisamos esta semana.")]
            )
            #expect(replied.status == .ok && replied.html.contains("emailed to the family"))
            #expect(try await api.database.query("SELECT status::text FROM cases WHERE id = \(calm)").one().decode(String.self, at: 0) == "answered")
            #expect(try await api.count("outbox WHERE template = 'case_reply' AND language = 'es'") == 1)
            #expect(
                try await visitor.post("/console/cases/\(calm)/status?lang=en", [("csrf", try await visitor.token()), ("status", "nope")]).status
                    == .unprocessableContent
            )
            #expect(try await visitor.post("/console/cases/\(calm)/explode?lang=en", [("csrf", try await visitor.token())]).status == .notFound)
            #expect(try await visitor.get("/console/cases/999999?lang=en").status == .notFound)
            // Bulk: "no action needed" needs a reason.
            #expect(
                try await visitor.post(
                    "/console/cases/bulk?lang=en",
                    [("csrf", try await visitor.token()), ("case", "\(critical)"), ("bulk", "no_action")]
                )
                .status == .unprocessableContent
            )
            #expect(
                try await visitor.post(
                    "/console/cases/bulk?lang=en",
                    [("csrf", try await visitor.token()), ("case", "\(critical)"), ("bulk", "take")]
                )
                .status == .ok
            )
            #expect(
                try await api.database.query("SELECT owner_account_id FROM cases WHERE id = \(critical)").one().decode(Int64?.self, at: 0) == admin.id
            )

            // Routing: an administrator adds a keyword rule; the next comment follows it.
            let coordinator = try await ConsoleSignInTests.account(api, email: "carmen@district.example", role: .coordinator)
            let added = try await visitor.post(
                "/console/routing?lang=en",
                [("csrf", try await visitor.token()), ("do", "rule"), ("keyword", "autobús"), ("owner", "account-\(coordinator.id)")]
            )
            #expect(added.status == .ok && added.html.contains("Keyword: “autobús”"))
            #expect(
                try await visitor.post(
                    "/console/routing?lang=en",
                    [("csrf", try await visitor.token()), ("do", "rule"), ("owner", "account-\(coordinator.id)")]
                ).status
                    == .unprocessableContent
            )
            let routed = try await comment("El autobus llega tarde")
            #expect(
                try await api.database.query("SELECT owner_account_id FROM cases WHERE id = \(routed)").one().decode(Int64?.self, at: 0)
                    == coordinator.id
            )
            #expect(try await api.count("audit_log WHERE entity = 'routing_rule'") == 1)

            // A liaison of another school sees neither the district-wide nor the other school's cases.
            let liaison = try await ConsoleSignInTests.account(api, email: "luis@district.example", role: .liaison)
            var liaisonVisitor = Visitor(api: api)
            #expect(try await ConsoleSignInTests.signIn(&liaisonVisitor, email: liaison.email).status == .seeOther)
            #expect(try await liaisonVisitor.get("/console/cases/\(calm)?lang=en").status == .notFound)
            #expect(try await liaisonVisitor.get("/console/cases?lang=en").html.contains("#\(critical)</a>") == false)
            #expect(try await liaisonVisitor.post("/console/routing?lang=en", [("csrf", try await liaisonVisitor.token())]).status == .forbidden)
        }
    }
}
