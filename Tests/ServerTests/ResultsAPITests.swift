import CSV
import Engagement
import Foundation
import HTTPTypes
import Postgres
import PostgresTesting
import Server
import Testing

/// Issue 15 over HTTP, the CLI and the console: the same results everywhere (A3), the export
/// and codebook read back with the same counts (A3), and the page's charts (A6 in the browser).
@Suite("Survey results over HTTP, the CLI and the console (HTTP + PostgreSQL + process)")
struct ResultsAPITests {
    /// Two schools, one survey (five points; one choice with a removed value; text), 40 families
    /// at school 1 and 25 students at school 2, with answers spread over every value.
    static let script = """
        INSERT INTO schools (code, name, cluster, level, enrollment) VALUES
            ('N1', 'North One', 'North', 'elementary', 400), ('S1', 'South One', 'South', 'high', 900);
        INSERT INTO initiatives (slug, title) VALUES ('tech', '{"en": "Technology"}');
        INSERT INTO surveys (initiative_id, title, opens_at) VALUES (1, '{"en": "Family survey"}', '2026-01-01');
        INSERT INTO survey_questions (survey_id, position, kind, prompt, choices) VALUES
            (1, 1, 'likert_5', '{"en": "Satisfied?", "es": "¿Satisfecho?"}', '[]'),
            (1, 2, 'choice', '{"en": "How did you hear?"}',
             '[{"value": "school", "label": {"en": "School, \\"office\\""}}, {"value": "friend", "label": {"en": "Friend"}}]'),
            (1, 3, 'text', '{"en": "Tell us"}', '[]');
        INSERT INTO responses (survey_id, initiative_id, school_id, stakeholder_group, language, receipt, submitted_at)
        SELECT 1, 1, CASE WHEN i <= 40 THEN 1 ELSE 2 END, CASE WHEN i <= 40 THEN 'families' ELSE 'students' END::stakeholder_group,
               CASE WHEN i % 3 = 0 THEN 'es' ELSE 'en' END, 'R' || i, '2026-09-10 15:00+00'::timestamptz + i * interval '1 hour'
        FROM generate_series(1, 65) i;
        INSERT INTO answers (response_id, question_id, number) SELECT id, 1, 1 + (id * 7) % 5 FROM responses;
        INSERT INTO answers (response_id, question_id, choices)
        SELECT id, 2, ARRAY[CASE WHEN id % 4 = 0 THEN 'online' WHEN id % 2 = 0 THEN 'friend' ELSE 'school' END] FROM responses WHERE id <= 60;
        INSERT INTO answers (response_id, question_id, text, scoring_state) SELECT id, 3, 'Comment, "quoted" ' || id, 'pending' FROM responses WHERE id % 5 = 0;
        """

    func build(_ api: APIFixture) async throws {
        try await api.database.withConnection { try await $0.executeScript(unsafeSQL: Self.script) }
        try await Rollups(database: api.database).refreshPending()
    }

    @Test(arguments: [
        ("", [String]()), ("?by=school", ["--by", "school"]), ("?group=families&by=language", ["--group", "families", "--by", "language"]),
        ("?from=2026-09-11T00:00:00-04:00&to=2026-09-12T00:00:00-04:00", ["--from", "2026-09-11", "--to", "2026-09-12"]),
    ])
    func cliJSONEqualsHTTPJSON(query: String, options: [String]) async throws {
        try await withAPI { api in
            try await build(api)
            let http = try await api.call(.get, "/api/v1/surveys/1/results\(query)", token: api.liaison)
            #expect(http.status == .ok, "\(http.text)")
            let (status, cli) = try await api.chorus(["results", "1", "--format", "json"] + options)
            #expect(status == 0)
            let fromHTTP = try JSONSerialization.jsonObject(with: http.body) as? NSDictionary
            let fromCLI = try JSONSerialization.jsonObject(with: cli) as? NSDictionary
            #expect(fromHTTP != nil && fromHTTP == fromCLI)
            #expect(fromHTTP?["minimum_cell"] as? Int == 10)
        }
    }

    @Test func etagNotModifiedAndProblems() async throws {
        try await withAPI { api in
            try await build(api)
            let first = try await api.call(.get, "/api/v1/surveys/1/results", token: api.admin)
            let etag = try #require(first.headers[.eTag])
            let again = try await api.call(.get, "/api/v1/surveys/1/results", token: api.admin, headers: [.ifNoneMatch: etag])
            #expect(again.status == .notModified && again.body.isEmpty)
            try await api.database.query(
                "INSERT INTO responses (survey_id, initiative_id, stakeholder_group, language, receipt) VALUES (1, 1, 'families', 'en', 'NEW')"
            )
            try await Rollups(database: api.database).refreshPending()
            let changed = try await api.call(.get, "/api/v1/surveys/1/results", token: api.admin, headers: [.ifNoneMatch: etag])
            #expect(changed.status == .ok && changed.headers[.eTag] != etag)
            #expect(try await api.call(.get, "/api/v1/surveys/1/results").status == .unauthorized)
            let missing = try await api.call(.get, "/api/v1/surveys/99/results", token: api.admin)
            #expect(missing.status == .notFound && missing.isProblem)
            // An enum the contract refuses is a 400 before the handler (its wording is the runtime's).
            #expect(try await api.call(.get, "/api/v1/surveys/1/results?by=district", token: api.admin).status == .badRequest)
            for (bad, field) in [("?school_id=77", "school_id"), ("?from=2026-09-01T00:00:00Z", "to")] {
                let reply = try await api.call(.get, "/api/v1/surveys/1/results\(bad)", token: api.admin)
                #expect([400, 422].contains(reply.status.code) && reply.isProblem, "\(bad): \(reply.status) \(reply.text)")
                #expect(reply.text.contains(field), "\(bad) names \(field): \(reply.text)")
            }
        }
    }

    static func rows(_ data: Data) throws -> [[String]] {
        let reader = try CSVReader(stream: InputStream(data: data))
        var rows: [[String]] = []
        while let row = reader.next() { rows.append(row) }
        return rows
    }

    /// A3: the export read back by a CSV reader counts what the results count; the codebook has
    /// a row per column and language.
    @Test func exportAndCodebookRoundTripWithTheSameCounts() async throws {
        try await withAPI { api in
            try await build(api)
            let (status, exported) = try await api.chorus(["export", "results", "--survey", "1"])
            #expect(status == 0)
            let rows = try Self.rows(exported)
            let header = try #require(rows.first)
            #expect(header == ["response_id", "participant_id", "submitted_at", "school_code", "group", "language", "q1_1", "q2_2", "q3_3"])
            #expect(rows.count == 66)
            let (_, json) = try await api.chorus(["results", "1", "--format", "json"])
            let results = try SurveyResults.decoder.decode(SurveyResults.self, from: json)
            for question in results.questions {
                let column = header.firstIndex(of: "q\(question.position)_\(question.id)")!
                let answers = rows.dropFirst().map { $0[column] }.filter { !$0.isEmpty }
                #expect(answers.count == question.overall.answered, "q\(question.id) answered")
                // A text question's values are its sentiment, not the texts.
                for point in question.overall.points where point.count != nil && question.kind != "text" {
                    #expect(answers.filter { $0 == point.value }.count == point.count, "q\(question.id) \(point.value)")
                }
            }
            // Texts with commas and quotes come back whole.
            #expect(rows.contains { $0.contains("Comment, \"quoted\" 5") })
            let (_, book) = try await api.chorus(["export", "codebook", "--survey", "1"])
            let codebook = try Self.rows(book)
            #expect(codebook.first == SurveyExport.codebookHeader)
            let languages = try await api.database.query("SELECT cardinality(languages) FROM district_settings").one().decode(Int.self, at: 0)
            #expect(codebook.count == 1 + 3 * languages)
            #expect(codebook.contains { $0[0] == "q2_2" && $0[6] == "en" && $0[8] == "school=School, \"office\"|friend=Friend" })
            #expect(codebook.contains { $0[0] == "q1_1" && $0[6] == "es" && $0[7] == "¿Satisfecho?" })
            // Both exports are in the audit log.
            let audited = try await api.database.query("SELECT count(*) FROM audit_log WHERE action = 'export' AND entity IN ('results', 'codebook')")
                .one().decode(Int.self, at: 0)
            #expect(audited == 2)
        }
    }

    @Test func theConsolePageShowsChartsAndAdminsDownload() async throws {
        try await withAPI { api in
            try await build(api)
            let admin = try await ConsoleSignInTests.account(api, email: "admin@district.example", role: .admin)
            var visitor = Visitor(api: api)
            #expect(try await ConsoleSignInTests.signIn(&visitor, email: admin.email).status == .seeOther)
            let page = try await visitor.get("/console/surveys/1/results?by=school&lang=en")
            #expect(page.status == .ok)
            #expect(page.html.components(separatedBy: "role=\"img\"").count - 1 == 4, "three questions and the response rates")
            #expect(page.html.contains("North One") && page.html.contains("South One"))
            // The text answers are escaped wherever they appear; the hostile filter is dropped.
            let hostile = try await visitor.get("/console/surveys/1/results?school_id=%3Cscript%3E&by=%22x&from=nope")
            #expect(hostile.status == .ok && !hostile.html.contains("<script>"))
            let download = try await visitor.get("/console/surveys/1/export/codebook")
            #expect(download.status == .ok && download.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(try await visitor.get("/console/surveys/1/export/other").status == .notFound)
            #expect(try await visitor.get("/console/surveys/99/results").status == .notFound)
            let analyst = try await ConsoleSignInTests.account(api, email: "analyst@district.example", role: .analyst)
            var reader = Visitor(api: api)
            _ = try await ConsoleSignInTests.signIn(&reader, email: analyst.email)
            #expect(try await reader.get("/console/surveys/1/results").status == .ok)
            #expect(try await reader.get("/console/surveys/1/export/results").status == .forbidden)
        }
    }
}
