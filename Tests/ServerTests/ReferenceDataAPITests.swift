import Foundation
import HTTPTypes
import Testing

@Suite("API: goals, schools, initiatives (HTTP + PostgreSQL)")
struct ReferenceDataAPITests {
    @Test func goalsCreateListAndDuplicate() async throws {
        try await withAPI { api in
            let created = try await api.call(.post, "/api/v1/goals", token: api.admin, json: ["code": "G1", "title": "Every family heard"])
            #expect(created.status == .created)
            #expect(created.json["code"] as? String == "G1")
            let duplicate = try await api.call(.post, "/api/v1/goals", token: api.admin, json: ["code": "G1", "title": "Again"])
            #expect(duplicate.status == .conflict && duplicate.isProblem && duplicate.problemFields == ["code"])
            let list = try await api.call(.get, "/api/v1/goals", token: api.admin)
            #expect(list.status == .ok && list.items.count == 1)
            #expect(try await api.count("district_goals") == 1)
        }
    }

    @Test func schoolsCRUDPaginationAndErrors() async throws {
        try await withAPI { api in
            for index in 1...5 {
                let reply = try await api.call(
                    .post,
                    "/api/v1/schools",
                    token: api.admin,
                    json: [
                        "code": "S\(index)", "name": "School \(index)", "cluster": index < 3 ? "North" : "South", "level": "middle",
                        "enrollment": 300 + index,
                    ]
                )
                #expect(reply.status == .created)
            }
            let first = try await api.call(.get, "/api/v1/schools?limit=2", token: api.liaison)
            #expect(first.items.count == 2)
            let cursor = try #require(first.json["next_cursor"] as? String)
            let second = try await api.call(.get, "/api/v1/schools?limit=2&cursor=\(cursor)", token: api.liaison)
            #expect(second.items.map { $0["code"] as? String } == ["S3", "S4"])
            let north = try await api.call(.get, "/api/v1/schools?cluster=North", token: api.admin)
            #expect(north.items.count == 2)
            let badCursor = try await api.call(.get, "/api/v1/schools?cursor=zzz", token: api.admin)
            #expect(badCursor.status == .unprocessableContent && badCursor.problemFields == ["cursor"])
            let badLimit = try await api.call(.get, "/api/v1/schools?limit=1000", token: api.admin)
            // Outside the contract's range: 400 (the request does not fit the contract), naming it.
            #expect(badLimit.status == .badRequest && badLimit.problemFields == ["limit"])

            let id = first.items[0]["id"] as! Int
            let patched = try await api.call(.patch, "/api/v1/schools/\(id)", token: api.admin, json: ["enrollment": 999])
            #expect(patched.status == .ok && patched.json["enrollment"] as? Int == 999)
            let negative = try await api.call(.patch, "/api/v1/schools/\(id)", token: api.admin, json: ["enrollment": -5])
            #expect(negative.status == .unprocessableContent && negative.problemFields == ["enrollment"])
            #expect(try await api.call(.get, "/api/v1/schools/\(id)", token: api.admin).json["enrollment"] as? Int == 999)
            #expect(try await api.call(.get, "/api/v1/schools/424242", token: api.admin).status == .notFound)
            #expect(try await api.call(.patch, "/api/v1/schools/424242", token: api.admin, json: ["name": "x"]).status == .notFound)
            #expect(try await api.call(.get, "/api/v1/schools/abc", token: api.admin).status == .badRequest)
            let badLevel = try await api.call(
                .post,
                "/api/v1/schools",
                token: api.admin,
                json: ["code": "S9", "name": "n", "cluster": "c", "level": "university", "enrollment": 1]
            )
            #expect(badLevel.status == .unprocessableContent && badLevel.problemFields == ["level"])
        }
    }

    @Test func initiativesValidationAndUpdate() async throws {
        try await withAPI { api in
            let created = try await api.call(
                .post,
                "/api/v1/initiatives",
                token: api.admin,
                json: [
                    "slug": "family-engagement", "title": "Family engagement", "starts_on": "2026-08-01", "ends_on": "2027-07-31",
                    "targets": ["reach_per_100": 25],
                ]
            )
            #expect(created.status == .created)
            #expect((created.json["targets"] as? [String: Any])?["reach_per_100"] as? Double == 25)
            let endBeforeStart = try await api.call(
                .post,
                "/api/v1/initiatives",
                token: api.admin,
                json: ["slug": "x-y", "title": "X", "starts_on": "2026-08-01", "ends_on": "2026-07-01"]
            )
            #expect(endBeforeStart.status == .unprocessableContent && endBeforeStart.problemFields == ["ends_on"])
            let badDate = try await api.call(
                .post,
                "/api/v1/initiatives",
                token: api.admin,
                json: ["slug": "x-z", "title": "X", "starts_on": "2026-02-30"]
            )
            #expect(badDate.problemFields == ["starts_on"])
            let nul = try await api.call(.post, "/api/v1/initiatives", token: api.admin, json: ["slug": "x-w", "title": "a\u{0}b"])
            #expect(nul.status == .unprocessableContent && nul.problemFields == ["title.en"])
            let unknownGoal = try await api.call(.post, "/api/v1/initiatives", token: api.admin, json: ["slug": "x-v", "title": "X", "goal_id": 77])
            #expect(unknownGoal.status == .unprocessableContent && unknownGoal.problemFields == ["goal_id"])
            let duplicate = try await api.call(.post, "/api/v1/initiatives", token: api.admin, json: ["slug": "family-engagement", "title": "X"])
            #expect(duplicate.status == .conflict)
            let updated = try await api.call(
                .patch,
                "/api/v1/initiatives/\(created.id)",
                token: api.admin,
                json: ["status": "paused", "ends_on": "2026-01-01"]
            )
            #expect(updated.status == .unprocessableContent)
            let paused = try await api.call(.patch, "/api/v1/initiatives/\(created.id)", token: api.admin, json: ["status": "paused"])
            #expect(paused.json["status"] as? String == "paused")
            let fetched = try await api.call(.get, "/api/v1/initiatives/\(created.id)", token: api.liaison)
            #expect(fetched.status == .ok && fetched.json["slug"] as? String == "family-engagement")
            // JSON Schema's integers include 1.0: the same initiative, in the path and the query.
            let decimal = try await api.call(.get, "/api/v1/initiatives/\(created.id).0", token: api.liaison)
            #expect(decimal.status == .ok && decimal.json["slug"] as? String == "family-engagement")
            let listed = try await api.call(.get, "/api/v1/surveys?limit=5.0&initiative_id=\(created.id).00", token: api.liaison)
            #expect(listed.status == .ok)
            #expect(try await api.call(.get, "/api/v1/initiatives/\(created.id).5", token: api.liaison).status == .badRequest)
            let list = try await api.call(.get, "/api/v1/initiatives?status=paused", token: api.liaison)
            #expect(list.items.count == 1)
            #expect(try await api.count("initiatives") == 1)
        }
    }

    @Test func malformedBodiesAndContentTypes() async throws {
        try await withAPI(maximumBodyBytes: 1024) { api in
            let syntax = try await api.call(.post, "/api/v1/goals", token: api.admin, raw: Data("{\"code\":".utf8))
            #expect(syntax.status == .badRequest && syntax.isProblem)
            let wrongType = try await api.call(.post, "/api/v1/goals", token: api.admin, raw: Data("code=x".utf8), contentType: "text/plain")
            #expect(wrongType.status == .unsupportedMediaType && wrongType.isProblem)
            let tooLarge = try await api.call(
                .post,
                "/api/v1/goals",
                token: api.admin,
                json: ["code": "G", "title": String(repeating: "x", count: 5000)]
            )
            #expect(tooLarge.status == .contentTooLarge && tooLarge.isProblem)
            let missing = try await api.call(.post, "/api/v1/goals", token: api.admin, json: ["title": "no code"])
            #expect(missing.status == .unprocessableContent && missing.problemFields == ["code"])
            let unknown = try await api.call(.post, "/api/v1/goals", token: api.admin, json: ["code": "G", "title": "t", "color": "red"])
            #expect(unknown.status == .unprocessableContent && unknown.problemFields == ["color"])
            let typed = try await api.call(.post, "/api/v1/goals", token: api.admin, json: ["code": 5, "title": "t"])
            #expect(typed.status == .unprocessableContent && typed.problemFields == ["code"])
            #expect(try await api.count("district_goals") == 0)
        }
    }
}
