import Engagement
import Foundation
import HTTPTypes
import Postgres
import PostgresTesting
import Testing

@testable import Server

/// Issue 18, A1: Chorus through a real PgBouncer in transaction mode (a pool of 2 server
/// connections for 8 clients, no `ignore_startup_parameters`), on a server whose defaults are
/// not ours — `TimeZone` Pacific/Auckland, `DateStyle` SQL, DMY, `IntervalStyle` postgres_verbose,
/// `extra_float_digits` 0 — answers every API operation exactly as over a direct connection.
@Suite("Through PgBouncer in transaction mode, on a server with other defaults (PostgreSQL + PgBouncer)", .serialized)
struct PgBouncerTests {
    static let settings = [
        "timezone": "Pacific/Auckland", "datestyle": "SQL, DMY", "intervalstyle": "postgres_verbose", "extra_float_digits": "0",
    ]

    @Test func everyOperationAnswersAsOverADirectConnection() async throws {
        let fixture = try await PgBouncerFixture.start(poolSize: 2, settings: Self.settings, logger: TestDatabase.logger)
        defer { fixture.stop() }
        let admin = PostgresClient(
            configuration: .init(url: fixture.directURL(database: "postgres"), maximumConnections: 1),
            logger: TestDatabase.logger
        )
        for name in ["direct", "pooled"] { try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)")) }
        await admin.close()
        var answers: [String: [String]] = [:]
        for (name, url) in [("direct", fixture.directURL(database: "direct")), ("pooled", fixture.pooledURL(database: "pooled"))] {
            // Migrations take a session lock: they run on a direct connection (docs/scaling.md).
            let direct = PostgresConfiguration(url: fixture.directURL(database: name), maximumConnections: 1)
            let migrating = PostgresClient(configuration: direct, logger: TestDatabase.logger)
            _ = try await Migrator(directory: try #require(Migrator.locateSchemaDirectory())).apply(on: migrating, logger: TestDatabase.logger)
            await migrating.close()
            let configuration = PostgresConfiguration(url: url, maximumConnections: 8)
            let client = PostgresClient(configuration: configuration, logger: TestDatabase.logger)
            let recorded = Recorded()
            try await withAPI(client: client, configuration: configuration) { api in try await Self.scenario(api, recorded) }
            await client.close()
            answers[name] = recorded.lines
        }
        let direct = try #require(answers["direct"])
        let pooled = try #require(answers["pooled"])
        #expect(direct.count == pooled.count && direct.count >= 59)
        for (one, other) in zip(direct, pooled) { #expect(one == other) }
        if ProcessInfo.processInfo.environment["CHORUS_SHOW_ANSWERS"] != nil { print(direct.joined(separator: "\n")) }
        #expect(!fixture.log.contains("unsupported startup parameter"), "PgBouncer refused a startup parameter")
        // The event's times come back as they were given, not in the server's zone or style.
        #expect(direct.contains { $0.contains("\"starts_at\":\"2026-12-10T18:00:00Z\"") })
    }

    /// `DATABASE_LISTEN_URL`: the pool goes through PgBouncer, LISTEN straight to PostgreSQL, and a
    /// NOTIFY sent through the pool arrives.
    @Test func listenGoesStraightToPostgreSQL() async throws {
        let fixture = try await PgBouncerFixture.start(poolSize: 1, settings: [:], logger: TestDatabase.logger)
        defer { fixture.stop() }
        let configuration = PostgresConfiguration(
            url: fixture.pooledURL(database: "postgres"),
            maximumConnections: 2,
            listenURL: fixture.directURL(database: "postgres")
        )
        let client = PostgresClient(configuration: configuration, logger: TestDatabase.logger)
        let heard = try await withThrowingTaskGroup(of: String?.self) { group in
            let (ready, readied) = AsyncStream.makeStream(of: Void.self)
            group.addTask {
                do {
                    try await client.listen(on: ["chorus_pgb"], onReady: { readied.yield() }) { throw Heard(payload: $0.payload) }
                } catch let heard as Heard {
                    return heard.payload
                }
                return nil
            }
            for await _ in ready { break }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                return nil
            }
            try await client.query("SELECT pg_notify('chorus_pgb', 'through the pool')")
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first
        }
        await client.close()
        #expect(heard == "through the pool")
    }

    struct Heard: Error {
        let payload: String
    }

    final class Recorded: @unchecked Sendable {
        var lines: [String] = []
    }

    /// Every operation of the contract, in an order that gives each the records it needs; each
    /// answer is recorded as status and body, with what differs between two runs by nature (the
    /// moment of writing, receipts) replaced by a marker once checked to be now.
    static func scenario(_ api: APIFixture, _ recorded: Recorded) async throws {
        var ids: [String: Int64] = [:]
        func call(
            _ method: HTTPRequest.Method,
            _ path: String,
            _ json: Any? = nil,
            keep: String? = nil,
            anonymous: Bool = false
        ) async throws -> APIFixture.Reply {
            var resolved = path
            for (name, id) in ids { resolved = resolved.replacingOccurrences(of: "{\(name)}", with: "\(id)") }
            let reply = try await api.call(method, "/api/v1" + resolved, token: anonymous ? nil : api.admin, json: json)
            if let keep { ids[keep] = reply.id }
            recorded.lines.append("\(method) \(path) \(reply.status.code) \(normalized(reply.body))")
            #expect(reply.status.code < 500, "\(method) \(path): \(reply.text)")
            return reply
        }
        _ = try await call(.post, "/goals", ["code": "G1", "title": "Every family heard"], keep: "goal")
        _ = try await call(.get, "/goals")
        _ = try await call(.get, "/goals/{goal}")
        _ = try await call(.patch, "/goals/{goal}", ["title": "Every family, heard"])
        _ = try await call(.post, "/goals", ["code": "G2", "title": "Spare"], keep: "spare")
        _ = try await call(.delete, "/goals/{spare}")
        _ = try await call(
            .post,
            "/schools",
            ["code": "S1", "name": "Lincoln", "cluster": "North", "level": "elementary", "enrollment": 420],
            keep: "school"
        )
        _ = try await call(.get, "/schools")
        _ = try await call(.get, "/schools/{school}")
        _ = try await call(.patch, "/schools/{school}", ["enrollment": 430])
        _ = try await call(
            .post,
            "/initiatives",
            ["slug": "wifi", "title": "Wifi", "goal_id": ids["goal", default: 0], "theme_keywords": ["wifi"], "starts_on": "2026-08-15"],
            keep: "initiative"
        )
        _ = try await call(.get, "/initiatives")
        _ = try await call(.get, "/initiatives/{initiative}")
        _ = try await call(.patch, "/initiatives/{initiative}", ["ends_on": "2027-06-30"])
        let survey: [String: Any] = [
            "initiative_id": ids["initiative", default: 0], "title": "Wifi at home", "opens_at": "2026-09-01T07:30:00Z",
            "closes_at": "2027-06-30T23:00:00Z",
            "questions": [
                ["kind": "likert_5", "prompt": "How is the wifi?", "required": true],
                ["kind": "rating_0_10", "prompt": "Would you recommend it?", "recommendation": true],
                ["kind": "text", "prompt": "Anything else?", "follow_up": true],
            ],
        ]
        let made = try await call(.post, "/surveys", survey, keep: "survey")
        let questions = (made.json["questions"] as? [[String: Any]] ?? []).compactMap { ($0["id"] as? NSNumber)?.int64Value }
        _ = try await call(.get, "/surveys")
        _ = try await call(.get, "/surveys/{survey}")
        _ = try await call(.patch, "/surveys/{survey}", ["title": "Wifi at home, 2026"])
        _ = try await call(.post, "/surveys/{survey}/duplicate", ["opens_at": "2027-09-01T07:30:00Z"], keep: "copy")
        _ = try await call(.delete, "/surveys/{copy}")
        _ = try await call(.post, "/surveys/{survey}/publish", [:])
        for n in 0..<12 {
            _ = try await call(
                .post,
                "/surveys/{survey}/responses",
                [
                    "group": n % 2 == 0 ? "families" : "students", "school_id": ids["school", default: 0], "language": "en",
                    "answers": [
                        ["question_id": questions[0], "number": 1 + n % 5], ["question_id": questions[1], "number": n % 11],
                        ["question_id": questions[2], "text": "The wifi drops every evening \(n)"],
                    ],
                ],
                anonymous: true
            )
        }
        _ = try await call(.get, "/responses")
        _ = try await call(
            .post,
            "/feedback",
            [
                "initiative_id": ids["initiative", default: 0], "school_id": ids["school", default: 0], "language": "es",
                "comment": "El wifi es lento",
                "contact": ["email": "familia@example.org", "consent": true], "follow_updates": true,
            ],
            anonymous: true
        )
        _ = try await call(.get, "/feedback")
        // The scoring jobs, run here as a worker would (routing happens in them).
        let scoring = try TextScoring(database: api.database)
        for row in try await api.database.query(
            "SELECT payload->>'source', (payload->>'id')::bigint FROM jobs WHERE kind = \(TextScoring.kind) ORDER BY id"
        ) {
            let (source, id) = try row.decode((String, Int64).self)
            try await scoring.score(.init(source: source, id: id))
        }
        _ = try await call(
            .post,
            "/events",
            [
                "title": "Family night", "kind": "family_night", "initiative_ids": [ids["initiative", default: 0]],
                "school_id": ids["school", default: 0],
                "starts_at": "2026-12-10T18:00:00Z", "ends_at": "2026-12-10T20:30:00Z", "capacity": 80,
            ],
            keep: "event"
        )
        _ = try await call(.get, "/events")
        _ = try await call(.get, "/events/{event}")
        _ = try await call(.patch, "/events/{event}", ["location": "Library"])
        _ = try await call(.post, "/events/{event}/attendance", ["kind": "headcount", "group": "families", "count": 23])
        _ = try await call(.get, "/events/{event}/attendance")
        _ = try await call(
            .post,
            "/events",
            [
                "title": "Spare", "kind": "family_night", "initiative_ids": [ids["initiative", default: 0]], "starts_at": "2027-01-10T18:00:00Z",
                "ends_at": "2027-01-10T19:00:00Z",
            ],
            keep: "spareEvent"
        )
        _ = try await call(.post, "/events/{spareEvent}/cancel", ["reason": "Snow"])
        _ = try await call(
            .post,
            "/events",
            [
                "title": "Gone", "kind": "family_night", "initiative_ids": [ids["initiative", default: 0]], "starts_at": "2027-02-10T18:00:00Z",
                "ends_at": "2027-02-10T19:00:00Z",
            ],
            keep: "goneEvent"
        )
        _ = try await call(.delete, "/events/{goneEvent}")
        let opportunity = try await call(
            .post,
            "/opportunities",
            [
                "initiative_id": ids["initiative", default: 0], "title": "Reading buddies", "school_id": ids["school", default: 0],
                "shifts": [["starts_at": "2026-12-12T15:00:00Z", "ends_at": "2026-12-12T17:00:00Z", "capacity": 5]],
            ],
            keep: "opportunity"
        )
        ids["shift"] = ((opportunity.json["shifts"] as? [[String: Any]])?.first?["id"] as? NSNumber)?.int64Value
        _ = try await call(.get, "/opportunities", anonymous: true)
        _ = try await call(.get, "/opportunities/{opportunity}")
        _ = try await call(.patch, "/opportunities/{opportunity}", ["title": "Reading buddies (K–2)"])
        let withShift = try await call(
            .post,
            "/opportunities/{opportunity}/shifts",
            ["starts_at": "2026-12-19T15:00:00Z", "ends_at": "2026-12-19T17:00:00Z", "capacity": 4]
        )
        ids["shift2"] = ((withShift.json["shifts"] as? [[String: Any]])?.last?["id"] as? NSNumber)?.int64Value
        _ = try await call(.patch, "/shifts/{shift}", ["capacity": 6])
        _ = try await call(.post, "/shifts/{shift2}/cancel", ["reason": "Holiday"])
        let signup = try await call(
            .post,
            "/shifts/{shift}/signups",
            ["group": "families", "contact": ["name": "Ana", "email": "ana@example.org", "consent": true]],
            keep: "signup",
            anonymous: true
        )
        ids["participant"] = (signup.json["participant_id"] as? NSNumber)?.int64Value
        _ = try await call(.patch, "/signups/{signup}", ["status": "attended", "hours_reported": 1.75])
        _ = try await call(.get, "/participants/{participant}/contact")
        _ = try await call(
            .post,
            "/opportunities",
            [
                "initiative_id": ids["initiative", default: 0], "title": "Spare",
                "shifts": [["starts_at": "2027-03-01T15:00:00Z", "ends_at": "2027-03-01T16:00:00Z", "capacity": 1]],
            ],
            keep: "spareOpportunity"
        )
        _ = try await call(.post, "/opportunities/{spareOpportunity}/cancel", ["reason": "No longer needed"])

        let cases = try await call(.get, "/cases?status=all")
        ids["case"] = ((cases.json["items"] as? [[String: Any]])?.first?["id"] as? NSNumber)?.int64Value
        _ = try await call(.get, "/cases/{case}")
        _ = try await call(.post, "/cases/{case}/notes", ["body": "Checked the router"])
        _ = try await call(.post, "/cases/{case}/assign", ["team_id": 999])
        _ = try await call(.post, "/cases/{case}/reply", ["body": "Thank you: a new router is coming.", "publish": true])
        _ = try await call(.post, "/cases/{case}/status", ["status": "closed"])
        _ = try await call(
            .post,
            "/initiatives/{initiative}/milestones",
            ["title": "New routers", "due_on": "2027-01-15", "percent_complete": 10],
            keep: "milestone"
        )
        _ = try await call(.patch, "/initiatives/{initiative}/milestones/{milestone}", ["percent_complete": 55])
        _ = try await call(.get, "/initiatives/{initiative}/milestones")
        _ = try await call(
            .post,
            "/initiatives/{initiative}/updates",
            ["title": "Routers ordered", "body": "Every school gets one.", "themes": ["wifi"], "case_ids": [ids["case", default: 0]]]
        )
        _ = try await call(.get, "/initiatives/{initiative}/updates")
        _ = try await call(.post, "/surveys/{survey}/close", [:])
        let window = "from=2026-08-01T00:00:00Z&to=2027-08-01T00:00:00Z"
        _ = try await call(.get, "/surveys/{survey}/results?\(window)")
        _ = try await call(.get, "/surveys/{survey}/results?\(window)&by=group")
        _ = try await call(.get, "/scorecards?\(window)")
        _ = try await call(.get, "/scorecards/{initiative}?\(window)")
        _ = try await call(.get, "/jobs/stats")
    }

    /// The body with moments of writing (within ten minutes of now, whatever the field) and
    /// random receipts replaced, keys sorted.
    static func normalized(_ body: Data) -> String {
        guard var value = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else {
            return String(decoding: body, as: UTF8.self)
        }
        let parser = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        func clean(_ value: Any, key: String?) -> Any {
            if let object = value as? [String: Any] {
                return Dictionary(uniqueKeysWithValues: object.map { ($0.key, clean($0.value, key: $0.key)) })
            }
            if let array = value as? [Any] { return array.map { clean($0, key: key) } }
            if ["receipt", "oldest_waiting_seconds", "generated_at"].contains(key ?? "") { return "<varies>" }
            if let text = value as? String, let date = parser.date(from: text) ?? fractional.date(from: text),
                abs(date.timeIntervalSinceNow) < 600
            {
                return "<now>"
            }
            return value
        }
        value = clean(value, key: nil)
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])) ?? body
        return String(decoding: data, as: UTF8.self)
    }
}
