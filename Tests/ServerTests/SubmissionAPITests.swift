import Foundation
import HTTPTypes
import Postgres
import Testing

@Suite("API: surveys, responses, feedback (HTTP + PostgreSQL)")
struct SubmissionAPITests {
    @Test func publicSubmitsAResponseWithEveryQuestionKind() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let survey = try await api.call(.get, "/api/v1/surveys/\(seed.survey)")
            #expect(survey.status == .ok && survey.json["is_open"] as? Bool == true)
            let q = seed.questions
            let reply = try await api.call(
                .post,
                "/api/v1/surveys/\(seed.survey)/responses",
                json: [
                    "group": "families", "school_id": seed.school, "language": "es",
                    "answers": [
                        ["question_id": q[0], "number": 4], ["question_id": q[1], "choices": ["laptop"]],
                        ["question_id": q[2], "choices": ["homework", "reading"]], ["question_id": q[3], "number": 9],
                        ["question_id": q[4], "text": "El wifi es muy lento en casa"],
                    ],
                    "contact": ["email": "Maria@Example.org", "consent": true],
                ]
            )
            #expect(reply.status == .created, "\(reply.text)")
            #expect((reply.json["receipt"] as? String)?.count == 11)
            #expect(try await api.count("answers") == 5)
            let pending = try await api.database.query("SELECT count(*) FROM answers WHERE scoring_state = 'pending'").first!
            #expect(try pending.decode(Int.self, at: 0) == 1)
            #expect(try await api.count("participant_contacts") == 1)
            let listed = try await api.call(.get, "/api/v1/responses?initiative_id=\(seed.initiative)&group=families", token: api.admin)
            #expect(listed.items.count == 1)
            #expect((listed.items[0]["answers"] as? [[String: Any]])?.count == 5)
            #expect(try await api.call(.get, "/api/v1/responses?group=students", token: api.admin).items.isEmpty)
        }
    }

    @Test func invalidAnswersAreRefusedAndChangeNothing() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let q = seed.questions
            let path = "/api/v1/surveys/\(seed.survey)/responses"
            let cases: [([String: Any], [String])] = [
                (["group": "families", "answers": [["question_id": 999_999, "number": 1]]], ["answers[0].question_id", "answers"]),
                (["group": "families", "answers": [["question_id": q[0], "number": 6]]], ["answers[0].number"]),
                (
                    ["group": "families", "answers": [["question_id": q[0], "number": 3], ["question_id": q[1], "choices": ["phone"]]]],
                    ["answers[1].choices"]
                ),
                (
                    ["group": "families", "answers": [["question_id": q[0], "number": 3], ["question_id": q[4], "text": "nul\u{0}byte"]]],
                    ["answers[1].text"]
                ),
                (["group": "families", "answers": [["question_id": q[4], "text": "no required answer"]]], ["answers"]),
                (["group": "parents", "answers": []], ["group"]),
                (
                    ["group": "families", "answers": [["question_id": q[0], "number": 3]], "contact": ["email": "x@y.org", "consent": false]],
                    ["contact.consent"]
                ),
                (["group": "families", "answers": [["question_id": q[0], "number": 3]], "school_id": 987_654], ["school_id"]),
            ]
            for (body, fields) in cases {
                let reply = try await api.call(.post, path, json: body)
                #expect(reply.status == .unprocessableContent, "\(body): \(reply.text)")
                #expect(reply.isProblem)
                #expect(Set(reply.problemFields) == Set(fields), "\(reply.problemFields)")
            }
            #expect(try await api.count("responses") == 0)
            #expect(try await api.count("participants") == 0)
            #expect(try await api.call(.post, "/api/v1/surveys/424242/responses", json: ["group": "families", "answers": []]).status == .notFound)
        }
    }

    @Test func closedSurveyIsAConflictAndHiddenFromThePublic() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let closed = try await api.call(
                .post,
                "/api/v1/surveys",
                token: api.admin,
                json: [
                    "initiative_id": seed.initiative, "title_en": "Old", "title_es": "Vieja", "opens_at": "2024-01-01T00:00:00Z",
                    "closes_at": "2024-02-01T00:00:00Z",
                    "questions": [["kind": "text", "prompt_en": "Why?", "prompt_es": "¿Por qué?"]],
                ]
            )
            #expect(closed.status == .created)
            let reply = try await api.call(.post, "/api/v1/surveys/\(closed.id)/responses", json: ["group": "students", "answers": []])
            #expect(reply.status == .conflict && reply.isProblem)
            #expect(try await api.call(.get, "/api/v1/surveys/\(closed.id)").status == .notFound)
            #expect(try await api.call(.get, "/api/v1/surveys/\(closed.id)", token: api.liaison).status == .ok)
            let backwards = try await api.call(
                .post,
                "/api/v1/surveys",
                token: api.admin,
                json: [
                    "initiative_id": seed.initiative, "title_en": "B", "title_es": "B", "opens_at": "2026-02-01T00:00:00Z",
                    "closes_at": "2026-01-01T00:00:00Z", "questions": [["kind": "choice", "prompt_en": "?", "prompt_es": "?"]],
                ]
            )
            #expect(backwards.status == .unprocessableContent)
            #expect(Set(backwards.problemFields) == ["closes_at", "questions[0].choices"])
            let list = try await api.call(.get, "/api/v1/surveys?initiative_id=\(seed.initiative)", token: api.admin)
            #expect(list.items.count == 2)
        }
    }

    @Test func feedbackIsStoredPendingAndFilterable() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let sent = try await api.call(
                .post,
                "/api/v1/feedback",
                json: ["initiative_id": seed.initiative, "school_id": seed.school, "group": "students", "comment": "<script>alert(1)</script> wifi!"]
            )
            #expect(sent.status == .created)
            let listed = try await api.call(.get, "/api/v1/feedback?school_id=\(seed.school)", token: api.admin)
            #expect(listed.items.first?["comment"] as? String == "<script>alert(1)</script> wifi!")
            #expect(listed.items.first?["scoring_state"] as? String == "pending")
            let future = try await api.call(.get, "/api/v1/feedback?from=2099-01-01T00:00:00Z", token: api.admin)
            #expect(future.items.isEmpty)
            let reversed = try await api.call(
                .get,
                "/api/v1/feedback?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z",
                token: api.admin
            )
            #expect(reversed.status == .unprocessableContent && reversed.problemFields == ["to"])
            let empty = try await api.call(.post, "/api/v1/feedback", json: ["initiative_id": seed.initiative, "comment": "   "])
            #expect(empty.status == .unprocessableContent && empty.problemFields == ["comment"])
            let long = try await api.call(
                .post,
                "/api/v1/feedback",
                json: ["initiative_id": seed.initiative, "comment": String(repeating: "é", count: 5001)]
            )
            #expect(long.problemFields == ["comment"])
            let unknown = try await api.call(.post, "/api/v1/feedback", json: ["initiative_id": 9_999, "comment": "hi"])
            #expect(unknown.problemFields == ["initiative_id"])
            let huge = try await api.call(.post, "/api/v1/feedback", json: ["initiative_id": 99_999_999_999_999_999, "comment": "hi"])
            #expect(huge.status == .unprocessableContent || huge.status == .badRequest)
            #expect(try await api.count("feedback") == 1)
        }
    }

    @Test func paginationWalksEveryItemOnce() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            for index in 0..<7 {
                try await api.call(.post, "/api/v1/feedback", json: ["initiative_id": seed.initiative, "comment": "comment \(index)"])
            }
            var seen: [String] = []
            var cursor: String?
            repeat {
                let reply = try await api.call(.get, "/api/v1/feedback?limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""), token: api.admin)
                seen += reply.items.compactMap { $0["comment"] as? String }
                cursor = reply.json["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == (0..<7).reversed().map { "comment \($0)" })
        }
    }
}
