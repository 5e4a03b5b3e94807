import Engagement
import Foundation
import HTTPTypes
import Postgres
import Testing

@testable import Server

/// Issue 14, A3 and A5 and the survey versions: editing what staff set up through the API.
@Suite("Editing: If-Match, versions, cancel and delete, one audit row per change (HTTP + PostgreSQL)")
struct EditingAPITests {
    static var volunteer: [String: Any] { ["group": "families", "contact": ["name": "Ana", "email": "ana@example.org", "consent": true]] }

    static func answer(_ api: APIFixture, _ seed: APIFixture.Seed, rating: Int = 4) async throws -> APIFixture.Reply {
        try await api.call(
            .post,
            "/api/v1/surveys/\(seed.survey)/responses",
            json: ["group": "families", "answers": [["question_id": seed.questions[0], "number": rating]]]
        )
    }

    /// A5: two staff editing the same version: one wins, the other learns it changed.
    @Test func twoEditsFromTheSameVersionOneSucceedsOneIs412() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let read = try await api.call(.get, "/api/v1/surveys/\(seed.survey)", token: api.admin)
            let etag = try #require(read.headers[.eTag])
            async let first = api.call(
                .patch,
                "/api/v1/surveys/\(seed.survey)",
                token: api.admin,
                json: ["title": "First"],
                headers: [.ifMatch: etag]
            )
            async let second = api.call(
                .patch,
                "/api/v1/surveys/\(seed.survey)",
                token: api.admin,
                json: ["title": "Second"],
                headers: [.ifMatch: etag]
            )
            let replies = try await [first, second]
            #expect(replies.map(\.status.code).sorted() == [200, 412], "\(replies.map(\.text))")
            let winner = try #require(replies.first { $0.status == .ok })
            let loser = try #require(replies.first { $0.status == .preconditionFailed })
            #expect(loser.isProblem && loser.text.contains("changed"))
            // The winner's ETag is the new version's: it works once, then is stale too.
            let newTag = try #require(winner.headers[.eTag])
            #expect(newTag != etag)
            #expect(try await api.call(.get, "/api/v1/surveys/\(seed.survey)", token: api.admin).headers[.eTag] == newTag)
            let again = try await api.call(
                .patch,
                "/api/v1/surveys/\(seed.survey)",
                token: api.admin,
                json: ["title": "Third"],
                headers: [.ifMatch: newTag]
            )
            #expect(again.status == .ok)
            #expect(try await api.count("audit_log WHERE action = 'update' AND entity = 'survey'") == 2)
        }
    }

    @Test func answeredQuestionsKeepTheirVersionAndCannotBeRemovedOrChangeKind() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            #expect(try await Self.answer(api, seed).status == .created)
            let survey = try await api.call(.get, "/api/v1/surveys/\(seed.survey)", token: api.admin).json
            var questions = (survey["questions"] as? [[String: Any]] ?? []).map { question -> [String: Any] in
                var edit: [String: Any] = ["id": question["id"]!, "kind": question["kind"]!, "prompt": question["prompt"]!]
                if let choices = question["choices"] as? [[String: Any]], !choices.isEmpty {
                    edit["choices"] = choices.map { ["value": $0["value"]!, "label": $0["label"]!] }
                }
                return edit
            }
            // New wording for the answered question: version 2; the old wording is kept.
            questions[0]["prompt"] = "How satisfied are you with the laptops?"
            let reworded = try await api.call(.patch, "/api/v1/surveys/\(seed.survey)", token: api.admin, json: ["questions": questions])
            #expect(reworded.status == .ok, "\(reworded.text)")
            let first = try #require((reworded.json["questions"] as? [[String: Any]])?.first)
            #expect(first["version"] as? Int == 2 && first["prompt"] as? String == "How satisfied are you with the laptops?")
            #expect(try await api.count("question_versions WHERE question_id = \(seed.questions[0]) AND version = 1") == 1)
            #expect(try await api.count("answers WHERE question_id = \(seed.questions[0]) AND question_version = 1") == 1)
            #expect(try await Self.answer(api, seed, rating: 5).status == .created)
            #expect(try await api.count("answers WHERE question_id = \(seed.questions[0]) AND question_version = 2") == 1)
            // Unanswered questions change freely; the answered one cannot go or change kind.
            var kindChange = questions
            kindChange[0]["kind"] = "text"
            let refusedKind = try await api.call(.patch, "/api/v1/surveys/\(seed.survey)", token: api.admin, json: ["questions": kindChange])
            #expect(refusedKind.status == .conflict && refusedKind.text.contains("kind"))
            let refusedRemoval = try await api.call(
                .patch,
                "/api/v1/surveys/\(seed.survey)",
                token: api.admin,
                json: ["questions": Array(questions.dropFirst())]
            )
            #expect(refusedRemoval.status == .conflict && refusedRemoval.text.contains("cannot be removed"))
            // Reordered, one unanswered removed, one added: positions follow the list.
            let added: [String: Any] = ["kind": "text", "prompt": "Anything else?"]
            let reordered = [questions[4], questions[0], questions[1], added]
            let reply = try await api.call(.patch, "/api/v1/surveys/\(seed.survey)", token: api.admin, json: ["questions": reordered])
            #expect(reply.status == .ok, "\(reply.text)")
            let after = reply.json["questions"] as? [[String: Any]] ?? []
            #expect(after.map { $0["prompt"] as? String } == ["Comments", "How satisfied are you with the laptops?", "Device?", "Anything else?"])
            #expect(after.map { $0["position"] as? Int } == [1, 2, 3, 4])
            #expect(try await api.count("survey_questions WHERE survey_id = \(seed.survey)") == 4)
        }
    }

    @Test func draftsPublishAndCloseEarly() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let draft = try await api.call(
                .post,
                "/api/v1/surveys",
                token: api.admin,
                json: [
                    "initiative_id": seed.initiative, "title": "Draft", "opens_at": "2025-01-01T00:00:00Z", "draft": true,
                    "questions": [["kind": "likert_5", "prompt": "Happy?"]],
                ]
            )
            #expect(draft.status == .created && draft.json["published_at"] == nil && draft.json["is_open"] as? Bool == false)
            #expect(try await api.call(.get, "/api/v1/surveys/\(draft.id)").status == .notFound)
            let published = try await api.call(.post, "/api/v1/surveys/\(draft.id)/publish", token: api.admin)
            #expect(published.status == .ok && published.json["is_open"] as? Bool == true)
            #expect(try await api.call(.get, "/api/v1/surveys/\(draft.id)").status == .ok)
            // Closing early: later answers are refused.
            #expect(try await Self.answer(api, seed).status == .created)
            let closed = try await api.call(.post, "/api/v1/surveys/\(seed.survey)/close", token: api.admin)
            #expect(closed.status == .ok && closed.json["is_open"] as? Bool == false)
            let late = try await Self.answer(api, seed)
            #expect(late.status == .conflict && late.text.contains("not open"))
            // A new wave: a draft whose questions point at the ones they repeat.
            let wave = try await api.call(
                .post,
                "/api/v1/surveys/\(seed.survey)/duplicate",
                token: api.admin,
                json: ["opens_at": "2027-01-01T00:00:00Z"]
            )
            #expect(wave.status == .created && wave.json["previous_survey_id"] as? Int == Int(seed.survey))
            let repeated = (wave.json["questions"] as? [[String: Any]] ?? []).compactMap { ($0["previous_question_id"] as? NSNumber)?.int64Value }
            #expect(repeated == seed.questions)
            // Deleting: a survey with responses is refused with why; the unanswered wave goes.
            let refused = try await api.call(.delete, "/api/v1/surveys/\(seed.survey)", token: api.admin)
            #expect(refused.status == .conflict && refused.text.contains("close it instead"))
            #expect(try await api.call(.delete, "/api/v1/surveys/\(wave.id)", token: api.admin).status == .noContent)
            #expect(try await api.call(.get, "/api/v1/surveys/\(wave.id)", token: api.admin).status == .notFound)
        }
    }

    /// A3: each kind of change leaves exactly one audit row, with the values before and after,
    /// naming the account behind the token and the request.
    @Test func eachKindOfChangeLeavesExactlyOneAuditRow() async throws {
        try await withAPI { api in
            let (account, token) = try await AccessMatrixTests.staff(api, .admin, "auditor@district.example")
            let before = try await api.count("audit_log")
            func call(_ method: HTTPRequest.Method, _ path: String, _ json: [String: Any]? = nil) async throws -> APIFixture.Reply {
                let reply = try await api.call(method, "/api/v1" + path, token: token, json: json)
                #expect(reply.status.code < 300, "\(method) \(path): \(reply.text)")
                return reply
            }
            let goal = try await call(.post, "/goals", ["code": "G9", "title": "Belonging"]).id
            let spare = try await call(.post, "/goals", ["code": "G10", "title": "Spare"]).id
            _ = try await call(.patch, "/goals/\(goal)", ["title": "Belonging for all"])
            _ = try await call(.delete, "/goals/\(spare)")
            let initiative = try await call(.post, "/initiatives", ["slug": "audited", "title": "Audited", "goal_id": goal]).id
            _ = try await call(.patch, "/initiatives/\(initiative)", ["title": "Audited again"])
            let survey = try await call(
                .post,
                "/surveys",
                [
                    "initiative_id": initiative, "title": "S", "opens_at": "2025-01-01T00:00:00Z", "draft": true,
                    "questions": [["kind": "text", "prompt": "Q"]],
                ]
            ).id
            _ = try await call(.patch, "/surveys/\(survey)", ["title": "S2"])
            _ = try await call(.post, "/surveys/\(survey)/publish")
            _ = try await call(.post, "/surveys/\(survey)/close")
            let wave = try await call(.post, "/surveys/\(survey)/duplicate", ["opens_at": "2027-01-01T00:00:00Z"]).id
            _ = try await call(.delete, "/surveys/\(wave)")
            let times: [String: Any] = ["starts_at": "2026-10-01T23:00:00Z", "ends_at": "2026-10-02T01:00:00Z"]
            let event = try await call(
                .post,
                "/events",
                ["title": "Night", "kind": "workshop", "initiative_ids": [initiative]].merging(times) { $1 }
            ).id
            _ = try await call(.patch, "/events/\(event)", ["location": "Library"])
            _ = try await call(.post, "/events/\(event)/cancel", ["reason": "Snow day"])
            let empty = try await call(.post, "/events", ["title": "Empty", "kind": "meeting", "initiative_ids": [initiative]].merging(times) { $1 })
                .id
            _ = try await call(.delete, "/events/\(empty)")
            _ = try await call(.post, "/events/\(event)/attendance", ["kind": "headcount", "group": "families", "count": 3])
            let opportunity = try await call(
                .post,
                "/opportunities",
                [
                    "initiative_id": initiative, "title": "Help",
                    "shifts": [["starts_at": "2027-01-01T10:00:00Z", "ends_at": "2027-01-01T12:00:00Z", "capacity": 3]],
                ]
            )
            let shift = try #require(((opportunity.json["shifts"] as? [[String: Any]])?.first?["id"] as? NSNumber)?.int64Value)
            _ = try await call(.patch, "/opportunities/\(opportunity.id)", ["title": "Help us"])
            _ = try await call(.patch, "/shifts/\(shift)", ["capacity": 5])
            _ = try await call(.post, "/shifts/\(shift)/cancel", ["reason": "Room taken"])
            _ = try await call(.post, "/opportunities/\(opportunity.id)/cancel", ["reason": "Postponed"])

            let rows = try await api.database.query(
                "SELECT action, entity, old_values IS NOT NULL, new_values IS NOT NULL, account_id, request_id FROM audit_log WHERE id > \(before)"
            )
            var kinds: [String: Int] = [:]
            for row in rows {
                let (action, entity, hasOld, hasNew, accountID, requestID) = try row.decode((String, String, Bool, Bool, Int64?, String?).self)
                kinds["\(action) \(entity)", default: 0] += 1
                #expect(accountID == account.id && requestID?.isEmpty == false, "\(action) \(entity)")
                #expect(hasOld == (action != "create"), "\(action) \(entity) old values")
                #expect(hasNew == (action != "delete"), "\(action) \(entity) new values")
            }
            let expected = [
                "create goal": 2, "update goal": 1, "delete goal": 1, "create initiative": 1, "update initiative": 1, "create survey": 2,
                "update survey": 1, "publish survey": 1, "close survey": 1, "delete survey": 1, "create event": 2, "update event": 1,
                "cancel event": 1, "delete event": 1, "create attendance": 1, "create opportunity": 1, "update opportunity": 1,
                "update shift": 1, "cancel shift": 1, "cancel opportunity": 1,
            ]
            #expect(kinds == expected)
            // The before and after of an edit, as the API showed them.
            let edit = try await api.database.query(
                "SELECT old_values ->> 'location', new_values ->> 'location' FROM audit_log WHERE action = 'update' AND entity = 'event'"
            ).one().decode((String?, String?).self)
            #expect(edit.0 == nil && edit.1 == "Library")
        }
    }

    @Test func deletesRefuseRecordsWithDependantsAndCancelledShiftsTakeNoSignUps() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let goal = try await api.call(.post, "/api/v1/goals", token: api.admin, json: ["code": "G1", "title": "Goal"]).id
            _ = try await api.call(.post, "/api/v1/initiatives", token: api.admin, json: ["slug": "aligned", "title": "A", "goal_id": goal])
            let inUse = try await api.call(.delete, "/api/v1/goals/\(goal)", token: api.admin)
            #expect(inUse.status == .conflict && inUse.text.contains("aligned"))
            let event = try await api.call(
                .post,
                "/api/v1/events",
                token: api.admin,
                json: [
                    "title": "Night", "kind": "workshop", "initiative_ids": [seed.initiative], "starts_at": "2026-10-01T23:00:00Z",
                    "ends_at": "2026-10-02T01:00:00Z",
                ]
            ).id
            _ = try await api.call(
                .post,
                "/api/v1/events/\(event)/attendance",
                token: api.admin,
                json: ["kind": "headcount", "group": "families", "count": 3]
            )
            let attended = try await api.call(.delete, "/api/v1/events/\(event)", token: api.admin)
            #expect(attended.status == .conflict && attended.text.contains("cancel it instead"))
            let badReason = try await api.call(.post, "/api/v1/events/\(event)/cancel", token: api.admin, json: ["reason": ""])
            #expect(badReason.status.code == 400 || badReason.status.code == 422)
            #expect(badReason.isProblem)
            let opportunity = try await api.call(
                .post,
                "/api/v1/opportunities",
                token: api.admin,
                json: [
                    "initiative_id": seed.initiative, "title": "Help",
                    "shifts": [["starts_at": "2027-01-01T10:00:00Z", "ends_at": "2027-01-01T12:00:00Z", "capacity": 1]],
                ]
            )
            let shift = try #require(((opportunity.json["shifts"] as? [[String: Any]])?.first?["id"] as? NSNumber)?.int64Value)
            #expect(try await api.call(.post, "/api/v1/shifts/\(shift)/signups", json: Self.volunteer).status == .created)
            let shrink = try await api.call(.patch, "/api/v1/shifts/\(shift)", token: api.admin, json: ["capacity": 1])
            #expect(shrink.status == .ok)
            #expect(try await api.call(.post, "/api/v1/shifts/\(shift)/cancel", token: api.admin, json: ["reason": "Rain"]).status == .ok)
            let refused = try await api.call(.post, "/api/v1/shifts/\(shift)/signups", json: Self.volunteer)
            #expect(refused.status == .conflict && refused.text.contains("cancelled"))
        }
    }
}
