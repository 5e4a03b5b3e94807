import Engagement
import Foundation
import HTTPTypes
import HummingbirdTesting
import Postgres
import PostgresTesting
import Server
import Testing

@Suite("Scorecards over HTTP and the CLI (HTTP + PostgreSQL + process)")
struct ScorecardAPITests {
    func seedActivity(_ api: APIFixture) async throws -> APIFixture.Seed {
        let seed = try await api.seed()
        for index in 0..<12 {
            try await api.call(
                .post,
                "/api/v1/feedback",
                json: [
                    "initiative_id": seed.initiative, "school_id": seed.school, "group": "families", "comment": "The wifi is great \(index)",
                    "contact": ["email": "parent\(index)@example.org", "consent": true],
                ]
            )
        }
        // What a worker does within milliseconds of each write: bring the rollups up to date.
        try await Rollups(database: api.database).refreshPending()
        return seed
    }

    @Test func cliJSONEqualsHTTPJSONByteForByteForTheSameQuery() async throws {
        for cached in [false, true] {
            try await withAPI(scorecardCache: cached) { api in
                let seed = try await seedActivity(api)
                // What a re-encoding would change: a slash (escaped as \/ by default), quotes, non-ASCII.
                let title = #"Wi-Fi / hotspots: "fast" & “cheap” — niños, Tiếng Việt"#
                try await api.database.query(
                    "UPDATE initiatives SET title = jsonb_build_object('en', \(title)::text) WHERE id = \(seed.initiative)"
                )
                if cached { try await waitForTheCacheListener(api) }
                // The CLI's dates are the district's local midnights (New York by default).
                let range = "from=2026-01-01T00:00:00-05:00&to=2027-01-01T00:00:00-05:00"
                let slug = try await api.database.query("SELECT slug FROM initiatives WHERE id = \(seed.initiative)").first!.decode(
                    String.self,
                    at: 0
                )
                let (status, cli) = try await api.chorus(["scorecard", slug, "--from", "2026-01-01", "--to", "2027-01-01", "--format", "json"])
                #expect(status == 0)
                // Computed, then (with the cache) kept: both answers are the CLI's bytes.
                for _ in 0..<2 {
                    let http = try await api.call(.get, "/api/v1/scorecards/\(seed.initiative)?\(range)", token: api.liaison)
                    #expect(http.status == .ok, "\(http.text)")
                    #expect(
                        http.body + Data("\n".utf8) == cli,
                        "cached: \(cached)\nHTTP: \(http.text.prefix(400))\nCLI:  \(String(decoding: cli.prefix(400), as: UTF8.self))"
                    )
                    #expect(http.headers[.contentLength] == String(http.body.count))
                    #expect(http.text.contains(#"Wi-Fi / hotspots: \"fast\" & “cheap” — niños"#))
                    #expect((http.json["reach"] as? [String: Any])?["participants"] as? Int == 12)
                }
                let list = try await api.call(.get, "/api/v1/scorecards?\(range)", token: api.admin)
                let (_, cliList) = try await api.chorus(["scorecard", "--from", "2026-01-01", "--to", "2027-01-01", "--format", "json"])
                #expect(list.status == .ok && list.body + Data("\n".utf8) == cliList)
            }
        }
    }

    @Test func etagAndNotModified() async throws {
        try await withAPI { api in
            let seed = try await seedActivity(api)
            let first = try await api.call(.get, "/api/v1/scorecards/\(seed.initiative)", token: api.admin)
            let etag = try #require(first.headers[.eTag])
            let again = try await api.call(.get, "/api/v1/scorecards/\(seed.initiative)", token: api.admin, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified && again.body.isEmpty)
            let posted = try await api.call(.post, "/api/v1/feedback", json: ["initiative_id": seed.initiative, "comment": "one more"])
            #expect(posted.status == .created, "\(posted.text)")
            let refreshed = try await Rollups(database: api.database).refreshPending()
            let changed = try await api.call(.get, "/api/v1/scorecards/\(seed.initiative)", token: api.admin, headers: [.ifNoneMatch: etag])
            #expect(changed.status == .ok && changed.headers[.eTag] != etag, "\(changed.status) after \(refreshed) day(s) refreshed")
            let list = try await api.call(.get, "/api/v1/scorecards?sort=index_asc", token: api.liaison)
            #expect(list.status == .ok && list.items.count == 1)
        }
    }

    @Test func cachedBetweenChangesAndRetiredByTheNotification() async throws {
        try await withAPI(scorecardCache: true) { api in
            let seed = try await seedActivity(api)
            let path = "/api/v1/scorecards/\(seed.initiative)"
            func feedbackCount() async throws -> Int? {
                let reply = try await api.call(.get, path, token: api.admin)
                return (reply.json["voice"] as? [String: Any])?["feedback"] as? Int
            }
            // Wait for the listener (a gauge on /metrics), then the answer is kept.
            let deadline = ContinuousClock.now + .seconds(60)
            try await waitForTheCacheListener(api)
            // The kept answer is the very answer given when it was computed, ETag and 304 included.
            let computed = try await api.call(.get, path, token: api.admin)
            let kept = try await api.call(.get, path, token: api.admin)
            #expect(computed.status == .ok && kept.body == computed.body && kept.headers[.eTag] == computed.headers[.eTag])
            #expect(kept.headers[.contentType] == computed.headers[.contentType])
            let notModified = try await api.call(.get, path, token: api.admin, headers: [.ifNoneMatch: try #require(kept.headers[.eTag])])
            #expect(notModified.status == .notModified)
            #expect(try await api.call(.get, path).status == .unauthorized)  // a kept answer still needs a token
            #expect(try await feedbackCount() == 12)
            // A rollup changed without a notification (triggers off for this session) is not
            // seen: the answer comes from memory...
            try await api.database.withConnection { db in
                try await db.query("SET session_replication_role = replica")
                try await db.query("UPDATE rollup_daily SET feedback = feedback + 100 WHERE initiative_id = \(seed.initiative)")
                try await db.query("SET session_replication_role = origin")
            }
            #expect(try await feedbackCount() == 12, "the scorecard was not served from memory")
            #expect(try await api.call(.get, "/metrics").text.contains("chorus_scorecard_cache_entries 1"))
            // ...until a real change notifies: a new comment, rolled up.
            try await api.call(.post, "/api/v1/feedback", json: ["initiative_id": seed.initiative, "comment": "one more"])
            try await Rollups(database: api.database).refreshPending()
            var fresh: Int?
            while ContinuousClock.now < deadline, fresh != 13 {
                fresh = try await feedbackCount()
                if fresh != 13 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(fresh == 13)  // today recomputed from the records (the +100 gone), and the new comment
        }
    }

    func waitForTheCacheListener(_ api: APIFixture) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        var listening = false
        while ContinuousClock.now < deadline, !listening {
            listening = try await api.call(.get, "/metrics").text.contains("chorus_scorecard_cache_listening 1")
            if !listening { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(listening, "the cache's listener never connected")
    }

    /// Build 8 of issue 15: a scorecard names its initiative's surveys of the period and where
    /// their results are; drafts and surveys closed before the period are left out, and a
    /// survey's change retires the kept scorecard.
    @Test func anInitiativesScorecardLinksItsSurveysResults() async throws {
        try await withAPI(scorecardCache: true) { api in
            let seed = try await api.seed()
            try await api.database.query(
                """
                INSERT INTO surveys (initiative_id, title, opens_at, closes_at, anonymous, published_at) VALUES
                    (\(seed.initiative), '{"en": "Long closed"}', '2020-01-01', '2021-01-01', true, '2020-01-01'),
                    (\(seed.initiative), '{"en": "Still a draft"}', '2025-01-01', NULL, true, NULL)
                """
            )
            try await waitForTheCacheListener(api)
            let path = "/api/v1/scorecards/\(seed.initiative)?period=year"
            func surveys() async throws -> [[String: Any]] {
                let reply = try await api.call(.get, path, token: api.liaison)
                #expect(reply.status == .ok, "\(reply.text)")
                return reply.json["surveys"] as? [[String: Any]] ?? []
            }
            let listed = try await surveys()
            #expect(listed.count == 1)
            #expect(listed.first?["id"] as? Int == Int(seed.survey))
            #expect((listed.first?["title"] as? [String: String]) == ["en": "Laptops", "es": "Portátiles"])
            #expect(listed.first?["opens_at"] as? String == "2025-01-01T00:00:00Z")
            let results = try #require(listed.first?["results"] as? String)
            #expect(results == "/api/v1/surveys/\(seed.survey)/results")
            let reply = try await api.call(.get, results, token: api.liaison)
            #expect(reply.status == .ok && (reply.json["survey"] as? [String: Any])?["id"] as? Int == Int(seed.survey))
            // Renamed in psql: the trigger retires the kept scorecard.
            try await api.database.query(
                "UPDATE surveys SET title = '{\"en\": \"Laptops at home\"}' WHERE id = \(seed.survey)"
            )
            let deadline = ContinuousClock.now + .seconds(30)
            var title: String?
            while ContinuousClock.now < deadline, title != "Laptops at home" {
                title = (try await surveys().first?["title"] as? [String: String])?["en"]
                if title != "Laptops at home" { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(title == "Laptops at home")
        }
    }

    @Test func badFiltersAreClear4xx() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let base = "/api/v1/scorecards/\(seed.initiative)"
            let cases: [(String, HTTPResponse.Status)] = [
                ("/api/v1/scorecards/424242", .notFound),
                (base + "?from=2026-05-01T00:00:00Z&to=2026-01-01T00:00:00Z", .unprocessableContent),
                (base + "?from=2000-01-01T00:00:00Z&to=2050-01-01T00:00:00Z", .unprocessableContent),
                (base + "?group=aliens", .badRequest),
                (base + "?period=decade", .badRequest),
                (base + "?cluster=Nowhere", .unprocessableContent),
                (base + "?school_id=999999", .unprocessableContent),
                (base + "?from=2026-01-01T00:00:00Z", .unprocessableContent),
            ]
            for (path, status) in cases {
                let reply = try await api.call(.get, path, token: api.admin)
                #expect(reply.status == status, "\(path): \(reply.status) \(reply.text)")
                #expect(reply.isProblem)
            }
            #expect(try await api.call(.get, base).status == .unauthorized)
        }
    }
}

@Suite("Scorecard reads from DATABASE_READ_URL (HTTP + PostgreSQL)")
struct ReadReplicaTests {
    /// With a read database configured, scorecards come from it and writes still go to the
    /// primary. Here the "replica" is a second, empty database, so the difference shows.
    @Test func scorecardsUseTheReadDatabase() async throws {
        try await TestDatabase.withDatabase(migrated: true) { primary, _ in
            try await TestDatabase.withDatabase(migrated: true) { replica, _ in
                try await primary.query("INSERT INTO initiatives (slug, title) VALUES ('only-on-primary', '{\"en\": \"P\"}')")
                let token = try await primary.withTransaction {
                    try await Tokens().create(name: "admin", role: .admin, by: .command("test"), on: $0).1
                }
                let app = try buildApplication(
                    configuration: ServerConfiguration(),
                    database: Store(primary),
                    readDatabase: Store(replica),
                    logger: TestDatabase.logger
                )
                try await app.test(.router) { http in
                    let headers: HTTPFields = [.authorization: "Bearer \(token)"]
                    let scorecard = try await http.execute(uri: "/api/v1/scorecards/1", method: .get, headers: headers)
                    #expect(scorecard.status == .notFound)  // the replica does not have it
                    let initiative = try await http.execute(uri: "/api/v1/initiatives/1", method: .get, headers: headers)
                    #expect(initiative.status == .ok)  // ordinary reads use the primary
                }
            }
        }
    }
}
