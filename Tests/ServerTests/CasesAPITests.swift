import Engagement
import Foundation
import HTTPTypes
import Postgres
import Testing

@testable import Server

/// Issue 17, build 7: cases, milestones and updates over the API with the access rules of the
/// console — a liaison sees the cases of their schools only, an analyst reads and cannot act, no
/// contact is ever shown — and the CLI's `chorus cases` and `chorus updates` on the same records.
@Suite("API and CLI: cases, milestones and updates (HTTP + PostgreSQL)")
struct CasesAPITests {
    @Test func casesOverTheAPIWithTheConsolesReach() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            func comment(_ text: String, school: Int64?, follow: Bool = false) async throws -> Int64 {
                var json: [String: Any] = [
                    "initiative_id": seed.initiative, "language": "es", "comment": text, "follow_updates": follow,
                    "contact": ["email": "familia@example.org", "consent": true],
                ]
                if let school { json["school_id"] = school }
                let reply = try await api.call(.post, "/api/v1/feedback", json: json)
                #expect(reply.status == .created, "\(reply.text)")
                try await TextScoring(database: api.database).score(.init(source: "feedback", id: reply.id))
                return try await api.database.query("SELECT id FROM cases WHERE source = 'feedback' AND source_id = \(reply.id)").one()
                    .decode(Int64.self, at: 0)
            }
            let atSchool = try await comment("El wifi de la biblioteca es muy lento", school: seed.school, follow: true)
            let districtWide = try await comment("Hay una pistola en el baño", school: nil)

            // The administrator sees both, critical first, and never the address.
            let all = try await api.call(.get, "/api/v1/cases", token: api.admin)
            #expect(all.status == .ok)
            let ids = (all.json["items"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.int64Value }
            #expect(ids == [districtWide, atSchool])
            #expect(!all.text.contains("familia@example.org"))
            let critical = try await api.call(.get, "/api/v1/cases?critical=true", token: api.admin)
            #expect((critical.json["items"] as? [[String: Any]])?.count == 1)
            let bad = try await api.call(.get, "/api/v1/cases?status=lost", token: api.admin)
            #expect(bad.status == .badRequest && bad.isProblem)

            // A liaison of the school's cluster sees that school's case only; another school's, none.
            let (north, northToken) = try await AccessMatrixTests.staff(api, .liaison, "north@district.example")
            let (_, otherToken) = try await AccessMatrixTests.staff(api, .liaison, "other@district.example")
            try await Store(api.database).transaction { db in
                try await StaffAccess().assign(accountID: north.id, schools: [], clusters: ["North"], by: .command("test"), on: db)
            }
            let northList = try await api.call(.get, "/api/v1/cases?status=all", token: northToken)
            #expect((northList.json["items"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.int64Value } == [atSchool])
            #expect(try await api.call(.get, "/api/v1/cases/\(districtWide)", token: northToken).status == .notFound)
            #expect(try await api.call(.get, "/api/v1/cases/\(atSchool)", token: otherToken).status == .notFound)
            #expect(
                try await api.call(.post, "/api/v1/cases/\(atSchool)/notes", token: otherToken, json: ["body": "mine now"]).status == .notFound
            )

            // An analyst reads (no contact) and may not act.
            let (_, analystToken) = try await AccessMatrixTests.staff(api, .analyst, "analyst@district.example")
            let read = try await api.call(.get, "/api/v1/cases/\(atSchool)", token: analystToken)
            #expect(read.status == .ok && !read.text.contains("familia@example.org"))
            #expect((read.json["case"] as? [String: Any])?["can_email"] as? Bool == true)
            let refused = try await api.call(.post, "/api/v1/cases/\(atSchool)/reply", token: analystToken, json: ["body": "Hola"])
            #expect(refused.status == .forbidden && refused.isProblem)

            // The liaison replies; a retry with the same key sends nothing twice.
            let empty = try await api.call(.post, "/api/v1/cases/\(atSchool)/reply", token: northToken, json: ["body": ""])
            #expect(empty.status == .badRequest || empty.status == .unprocessableContent)
            #expect(try await api.count("case_history WHERE case_id = \(atSchool) AND kind = 'reply'") == 0)
            let key: [HTTPField.Name: String] = [HTTPField.Name("Idempotency-Key")!: "reply-1"]
            for _ in 0..<2 {
                let replied = try await api.call(
                    .post,
                    "/api/v1/cases/\(atSchool)/reply",
                    token: northToken,
                    json: ["body": "Gracias, cambiamos el router esta semana.", "publish": true],
                    headers: key
                )
                #expect(replied.status == .ok, "\(replied.text)")
                #expect((replied.json["case"] as? [String: Any])?["status"] as? String == "answered")
            }
            #expect(try await api.count("case_history WHERE case_id = \(atSchool) AND kind = 'reply'") == 1)
            #expect(try await api.count("outbox WHERE template = 'case_reply' AND language = 'es'") == 1)
            #expect(try await api.count("audit_log WHERE entity = 'case' AND action = 'reply'") == 1)

            // Status and assignment, with their rules.
            let noReason = try await api.call(.post, "/api/v1/cases/\(districtWide)/status", token: api.admin, json: ["status": "no_action"])
            #expect(noReason.status == .unprocessableContent || noReason.status == .badRequest)
            let both = try await api.call(.post, "/api/v1/cases/\(districtWide)/assign", token: api.admin, json: ["account_id": 1, "team_id": 1])
            #expect(both.status == .unprocessableContent || both.status == .badRequest)
            let assigned = try await api.call(.post, "/api/v1/cases/\(districtWide)/assign", token: api.admin, json: ["account_id": north.id])
            #expect((assigned.json["case"] as? [String: Any])?["owner_account_id"] as? NSNumber == NSNumber(value: north.id))
            // Now it is the liaison's own, so in reach though district-wide.
            #expect(try await api.call(.get, "/api/v1/cases/\(districtWide)", token: northToken).status == .ok)
            let closed = try await api.call(
                .post,
                "/api/v1/cases/\(districtWide)/status",
                token: api.admin,
                json: ["status": "no_action", "reason": "Passed to the school safety officer by phone"]
            )
            #expect((closed.json["case"] as? [String: Any])?["status"] as? String == "no_action")

            // Milestones and updates: a coordinator of another initiative cannot change them.
            let (_, coordinatorToken) = try await AccessMatrixTests.staff(api, .coordinator, "coord@district.example")
            let path = "/api/v1/initiatives/\(seed.initiative)"
            let outOfReach = try await api.call(.post, path + "/milestones", token: coordinatorToken, json: ["title": "Routers"])
            #expect(outOfReach.status == .notFound)
            let milestone = try await api.call(
                .post,
                path + "/milestones",
                token: api.admin,
                json: ["title": "New routers", "title_translations": ["es": "Nuevos routers"], "due_on": "2027-01-15"]
            )
            #expect(milestone.status == .created, "\(milestone.text)")
            #expect(
                try await api.call(.patch, path + "/milestones/\(milestone.id)", token: api.admin, json: ["percent_complete": 101]).status.code / 100
                    == 4
            )
            let moved = try await api.call(.patch, path + "/milestones/\(milestone.id)", token: api.admin, json: ["percent_complete": 60])
            #expect(moved.json["percent_complete"] as? Int == 60)
            #expect(try await api.count("outbox WHERE template = 'milestone_moved'") == 1)
            let unpublished = try await api.call(
                .post,
                path + "/updates",
                token: api.admin,
                json: ["title": "Routers", "body": "Done", "case_ids": [districtWide]]
            )
            #expect(unpublished.status == .unprocessableContent, "\(unpublished.text)")
            let update = try await api.call(
                .post,
                path + "/updates",
                token: api.admin,
                json: ["title": "Faster wifi", "body": "Every library has a new router.", "themes": ["wifi"], "case_ids": [atSchool]]
            )
            #expect(update.status == .created, "\(update.text)")
            #expect(try await api.count("outbox WHERE template = 'initiative_update'") == 1)
            let updates = try await api.call(.get, path + "/updates", token: analystToken)
            #expect((updates.json["items"] as? [[String: Any]])?.first?["case_ids"] as? [Int] == [Int(atSchool)])
            #expect(try await api.call(.get, "/api/v1/initiatives/999999/updates", token: api.admin).status == .notFound)

            // The CLI shows the same records and acts on them, audited as the operator.
            let (listed, listOutput) = try await api.chorus(["cases", "list", "--status", "all", "--format", "json"])
            #expect(listed == 0)
            let cliItems = (try JSONSerialization.jsonObject(with: listOutput) as? [String: Any])?["items"] as? [[String: Any]] ?? []
            #expect(Set(cliItems.compactMap { ($0["id"] as? NSNumber)?.int64Value }) == [atSchool, districtWide])
            #expect(!String(decoding: listOutput, as: UTF8.self).contains("familia@example.org"))
            let (noted, _) = try await api.chorus(["cases", "note", "\(atSchool)", "--text", "Called the librarian"])
            #expect(noted == 0)
            #expect(try await api.count("case_history WHERE case_id = \(atSchool) AND kind = 'note'") == 1)
            let (badStatus, _) = try await api.chorus(["cases", "status", "\(atSchool)", "lost"])
            #expect(badStatus != 0)
            let slug = try await api.database.query("SELECT slug FROM initiatives WHERE id = \(seed.initiative)").one().decode(String.self, at: 0)
            let (posted, _) = try await api.chorus(["updates", "post", slug, "--title", "Más", "--body", "Más routers", "--language", "es"])
            #expect(posted == 0)
            let (shown, updatesOutput) = try await api.chorus(["updates", "list", slug])
            #expect(shown == 0 && String(decoding: updatesOutput, as: UTF8.self).contains("Más routers"))
            #expect(try await api.count("outbox WHERE template = 'initiative_update'") == 2)
        }
    }

    /// A text question marked "needs follow-up" (API or the console's builder): each answer opens
    /// a case; only a text question may be marked; the builder keeps the mark and the NPS mark.
    @Test func aFollowUpQuestionsAnswersBecomeCases() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            func survey(_ followUpKind: String) async throws -> APIFixture.Reply {
                try await api.call(
                    .post,
                    "/api/v1/surveys",
                    token: api.admin,
                    json: [
                        "initiative_id": seed.initiative, "title": "Check-in", "opens_at": "2026-01-05T08:00:00Z",
                        "questions": [
                            ["kind": "rating_0_10", "prompt": "Would you recommend the school?", "recommendation": true],
                            ["kind": followUpKind, "prompt": "Is there anything we should call you about?", "follow_up": true],
                        ],
                    ]
                )
            }
            let refused = try await survey("likert_5")
            #expect(refused.status == .unprocessableContent && refused.text.contains("questions[1].follow_up"), "\(refused.text)")
            let made = try await survey("text")
            #expect(made.status == .created, "\(made.text)")
            let questions = made.json["questions"] as? [[String: Any]] ?? []
            #expect(questions.map { $0["follow_up"] as? Bool } == [false, true])
            let ids = questions.compactMap { ($0["id"] as? NSNumber)?.int64Value }
            let answered = try await api.call(
                .post,
                "/api/v1/surveys/\(made.id)/responses",
                json: [
                    "group": "families", "language": "es",
                    "answers": [["question_id": ids[0], "number": 3], ["question_id": ids[1], "text": "Mi hija no tiene laptop"]],
                ]
            )
            #expect(answered.status == .created, "\(answered.text)")
            #expect(try await api.count("cases WHERE source = 'answer' AND initiative_id = \(seed.initiative) AND language = 'es'") == 1)

            // The builder shows both marks and keeps them through a save; unticking clears one.
            let admin = try await ConsoleSignInTests.account(api, email: "ana@district.example", role: .admin)
            var visitor = Visitor(api: api)
            #expect(try await ConsoleSignInTests.signIn(&visitor, email: admin.email).status == .seeOther)
            let builder = try await visitor.get("/console/surveys/\(made.id)?lang=en")
            #expect(builder.html.contains("id=\"q1_follow_up\" name=\"q1_follow_up\" value=\"yes\" checked"))
            #expect(builder.html.contains("id=\"q0_recommendation\" name=\"q0_recommendation\" value=\"yes\" checked"))
            let version = try #require(ConsoleBuilderTests.hidden("version", in: builder.html))
            let fields: [(String, String)] = [
                ("csrf", try await visitor.token()), ("version", version), ("count", "2"), ("title_en", "Check-in"),
                ("opens_at", "2026-01-05T08:00"), ("closes_at", ""), ("anonymous", "yes"), ("q0_id", "\(ids[0])"), ("q0_kind", "rating_0_10"),
                ("q0_prompt_en", "Would you recommend the school?"), ("q0_recommendation", "yes"), ("q1_id", "\(ids[1])"), ("q1_kind", "text"),
                ("q1_prompt_en", "Is there anything we should call you about?"), ("action", "save"),
            ]
            let saved = try await visitor.post("/console/surveys/\(made.id)?lang=en", fields)
            #expect(saved.status == .ok, "\(saved.html)")
            let marks = try await api.database.query(
                "SELECT bool_or(recommendation), bool_or(follow_up) FROM survey_questions WHERE survey_id = \(made.id)"
            ).one().decode((Bool, Bool).self)
            #expect(marks == (true, false))
        }
    }
}
