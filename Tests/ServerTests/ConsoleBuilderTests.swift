import Engagement
import Foundation
import HTTPTypes
import Postgres
import Testing

@testable import Server

/// Issue 14: the console's initiatives and survey builder, as a browser without JavaScript
/// drives them (form posts), against real HTTP and PostgreSQL.
@Suite("Console: initiatives and the survey builder (HTTP + PostgreSQL)")
struct ConsoleBuilderTests {
    @Test func anAdminBuildsABilingualSurveyPreviewsPublishesEditsAndClosesIt() async throws {
        try await withAPI { api in
            let admin = try await ConsoleSignInTests.account(api, email: "ana@district.example", role: .admin)
            var visitor = Visitor(api: api)
            #expect(try await ConsoleSignInTests.signIn(&visitor, email: admin.email).status == .seeOther)
            func post(_ path: String, _ fields: [(String, String)]) async throws -> Visitor.Page {
                try await visitor.post(path, [("csrf", try await visitor.token())] + fields)
            }
            // An initiative, owned by the admin, titled in both languages.
            let made = try await post(
                "/console/initiatives",
                [
                    ("slug", "family-tech"), ("title_en", "Family tech"), ("title_es", "Tecnología familiar"), ("owner_account_id", "\(admin.id)"),
                    ("target_reach", "35"), ("target_participation", "0.4"),
                ]
            )
            #expect(made.status == .seeOther, "\(made.html)")
            let initiative = try await api.database.query("SELECT id FROM initiatives WHERE slug = 'family-tech'").one().decode(Int64.self, at: 0)
            let targets = try await api.database.query(
                "SELECT (targets ->> 'reach_per_100')::float8, (targets ->> 'participation_rate')::float8 FROM initiatives WHERE id = \(initiative)"
            ).one().decode((Double?, Double?).self)
            #expect(targets.0 == 35 && targets.1 == 0.4)
            // A district goal, made in the console; it cannot go while an initiative is aligned with it.
            let goal = try await post("/console/goals", [("code", "G7"), ("title_en", "Every family heard"), ("title_es", "Cada familia escuchada")])
            #expect(goal.status == .seeOther)
            let goalID = try await api.database.query("SELECT id FROM district_goals WHERE code = 'G7'").one().decode(Int64.self, at: 0)
            _ = try await post("/console/initiatives/\(initiative)", [("title_en", "Family tech"), ("goal_id", "\(goalID)")])
            #expect(try await api.count("initiatives WHERE id = \(initiative) AND goal_id = \(goalID)") == 1)
            let kept = try await post("/console/goals/\(goalID)/delete", [])
            #expect(kept.status == .conflict && kept.html.contains("aligned"))
            let badSlug = try await post("/console/initiatives", [("slug", "Not A Slug"), ("title_en", "X")])
            #expect(badSlug.status == .unprocessableContent && badSlug.html.contains("lowercase words"))
            // A draft survey; its Spanish title is flagged missing.
            let draft = try await post(
                "/console/surveys",
                [
                    ("initiative_id", "\(initiative)"), ("title", "Devices at home"), ("opens_at", "2026-01-05T08:00"), ("anonymous", "yes"),
                    ("kind", "likert_5"), ("prompt", "How well do the laptops work?"),
                ]
            )
            #expect(draft.status == .seeOther)
            let survey = try await api.database.query("SELECT max(id) FROM surveys").one().decode(Int64.self, at: 0)
            let question = try await api.database.query("SELECT id FROM survey_questions WHERE survey_id = \(survey)").one().decode(
                Int64.self,
                at: 0
            )
            let builder = try await visitor.get("/console/surveys/\(survey)")
            #expect(builder.status == .ok && builder.html.contains("class=\"missing\"") && builder.html.contains("Español"))
            let version = try #require(Self.hidden("version", in: builder.html))
            // Spanish texts and a choice question added, in one save.
            let save: [(String, String)] = [
                ("version", version), ("count", "1"), ("title_en", "Devices at home"), ("title_es", "Equipos en casa"),
                ("opens_at", "2026-01-05T08:00"), ("closes_at", ""), ("anonymous", "yes"), ("q0_id", "\(question)"), ("q0_kind", "likert_5"),
                ("q0_prompt_en", "How well do the laptops work?"), ("q0_prompt_es", "¿Qué tan bien funcionan las portátiles?"),
                ("q0_required", "yes"), ("new_kind", "choice"), ("new_prompt", "Which device?"), ("action", "save"),
            ]
            let saved = try await post("/console/surveys/\(survey)", save)
            #expect(saved.status == .ok && saved.html.contains("Saved."), "\(saved.html)")
            #expect(try await api.count("survey_questions WHERE survey_id = \(survey)") == 2)
            // The same version again: someone else's edit came first.
            let stale = try await post("/console/surveys/\(survey)", save)
            #expect(stale.status == .preconditionFailed && stale.html.contains("Someone else changed"))
            // The preview is the family's page, in Spanish, and cannot be sent; the public
            // cannot see a draft.
            let preview = try await visitor.get("/console/surveys/\(survey)/preview?lang=es")
            #expect(preview.status == .ok && preview.html.contains("¿Qué tan bien funcionan las portátiles?"))
            #expect(preview.html.contains("type=\"submit\" disabled"))
            var family = Visitor(api: api)
            #expect(try await family.get("/surveys/\(survey)").status == .notFound)
            #expect(try await post("/console/surveys/\(survey)/publish", []).status == .ok)
            #expect(try await family.get("/surveys/\(survey)?lang=es").html.contains("Equipos en casa"))
            let answered = try await api.call(
                .post,
                "/api/v1/surveys/\(survey)/responses",
                json: ["group": "families", "answers": [["question_id": question, "number": 4]]]
            )
            #expect(answered.status == .created)
            // New wording once answered: version 2, the first answer kept with version 1.
            let current = try #require(Self.hidden("version", in: try await visitor.get("/console/surveys/\(survey)").html))
            var reworded = save.map { $0.0 == "version" ? ("version", current) : $0 }.filter { !$0.0.hasPrefix("new_") }
            reworded = reworded.map { $0.0 == "q0_prompt_en" ? ("q0_prompt_en", "How well does the laptop work?") : $0 }
            let second = try await api.database.query("SELECT id FROM survey_questions WHERE survey_id = \(survey) AND position = 2").one()
                .decode(Int64.self, at: 0)
            reworded =
                reworded.map { $0.0 == "count" ? ("count", "2") : $0 } + [
                    ("q1_id", "\(second)"), ("q1_kind", "choice"), ("q1_prompt_en", "Which device?"), ("q1_values", "laptop\r\ntablet"),
                    ("q1_labels_en", "Laptop\r\nTablet"), ("q1_labels_es", "Portátil\r\nTableta"),
                ]
            let edited = try await post("/console/surveys/\(survey)", reworded)
            #expect(edited.status == .ok, "\(edited.html)")
            #expect(try await api.count("survey_questions WHERE id = \(question) AND version = 2") == 1)
            // The pasted lines (a browser sends CRLF) are two choices, each labelled in Spanish.
            let labels = try await api.database.query(
                "SELECT string_agg(c -> 'label' ->> 'es', ',') FROM survey_questions, jsonb_array_elements(choices) c WHERE id = \(second)"
            ).one().decode(String?.self, at: 0)
            #expect(labels == "Portátil,Tableta")
            #expect(try await api.count("answers WHERE question_id = \(question) AND question_version = 1") == 1)
            // Closed early: a late answer is refused with a friendly page.
            #expect(try await post("/console/surveys/\(survey)/close", []).status == .ok)
            let late = try await family.get("/surveys/\(survey)")
            #expect(late.status == .notFound && late.html.contains("<h1"))
            // Every change is in the audit log under the admin's account.
            let audited = try await api.database.query(
                "SELECT count(*) FROM audit_log WHERE account_id = \(admin.id) AND entity IN ('initiative', 'survey')"
            ).one().decode(Int.self, at: 0)
            #expect(audited == 7)  // initiative created and aligned; survey created, saved, published, reworded, closed
        }
    }

    @Test func aPersonTurnsOnTwoStepSignInMakesATokenAndAnAdminAssignsALiaisonsCluster() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let liaison = try await ConsoleSignInTests.account(api, email: "lee@district.example", role: .liaison)
            var visitor = Visitor(api: api)
            #expect(try await ConsoleSignInTests.signIn(&visitor, email: liaison.email).status == .seeOther)
            func post(_ path: String, _ fields: [(String, String)]) async throws -> Visitor.Page {
                try await visitor.post(path, [("csrf", try await visitor.token())] + fields)
            }
            let page = try await visitor.get("/console/me")
            #expect(page.status == .ok && page.html.contains("Two-step sign-in"))
            let secret = try #require(Self.hidden("secret", in: page.html))
            let wrong = try await post("/console/me/two-factor", [("secret", secret), ("code", "000000")])
            #expect(wrong.status == .unprocessableContent)
            let right = try await post("/console/me/two-factor", [("secret", secret), ("code", TwoFactor.code(secret: secret))])
            #expect(right.status == .ok && right.html.contains("Two-step sign-in is on"))
            #expect(try await api.count("staff_accounts WHERE id = \(liaison.id) AND totp_secret IS NOT NULL") == 1)
            // A token of their own, shown once, acting with their role; revoked from the page.
            let made = try await post("/console/me/tokens", [("name", "tablet at the door")])
            let token = try #require(made.html.range(of: "chorus_[0-9a-f]{64}", options: .regularExpression).map { String(made.html[$0]) })
            #expect(try await api.call(.get, "/api/v1/events", token: token).status == .ok)
            #expect(try await api.call(.get, "/api/v1/responses", token: token).status == .forbidden)
            let id = try await api.database.query("SELECT id FROM api_tokens WHERE account_id = \(liaison.id)").one().decode(Int64.self, at: 0)
            #expect(try await post("/console/me/tokens/\(id)/revoke", []).status == .ok)
            #expect(try await api.call(.get, "/api/v1/events", token: token).status == .unauthorized)
            // An admin assigns the liaison a cluster by name; an unknown name changes nothing.
            let admin = try await ConsoleSignInTests.account(api, email: "ana@district.example", role: .admin)
            var adminVisitor = Visitor(api: api)
            #expect(try await ConsoleSignInTests.signIn(&adminVisitor, email: admin.email).status == .seeOther)
            let unknown = try await adminVisitor.post(
                "/console/accounts/\(liaison.id)/assign",
                [("csrf", try await adminVisitor.token()), ("assigned", "Atlantis")]
            )
            #expect(unknown.status == .unprocessableContent && unknown.html.contains("not a cluster"))
            let assigned = try await adminVisitor.post(
                "/console/accounts/\(liaison.id)/assign",
                [("csrf", try await adminVisitor.token()), ("assigned", "north")]
            )
            #expect(assigned.status == .ok && assigned.html.contains("value=\"North\""))
            // The admin sees every token, the fixture's unowned ones too, and revokes any.
            let (_, other) = try await AccessMatrixTests.staff(api, .analyst, "ann@district.example")
            let tokens = try await adminVisitor.get("/console/me")
            #expect(tokens.html.contains("ann@district.example") && tokens.html.contains("tablet at the door"))
            let otherID = try await api.database.query("SELECT max(id) FROM api_tokens").one().decode(Int64.self, at: 0)
            let revoked = try await adminVisitor.post("/console/me/tokens/\(otherID)/revoke", [("csrf", try await adminVisitor.token())])
            #expect(revoked.status == .ok)
            #expect(try await api.call(.get, "/api/v1/schools", token: other).status == .unauthorized)
            let scope = try #require(try await api.database.withConnection { try await StaffAccess().principal(accountID: liaison.id, on: $0) })
            #expect(scope.scope.schools == [seed.school])
            #expect(try await api.count("audit_log WHERE entity = 'staff_assignments'") == 1)
        }
    }

    @Test func aLiaisonMakesEditsAndCancelsAnEventAtTheirSchoolAndCannotReachAnother() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let liaison = try await ConsoleSignInTests.account(api, email: "lee@district.example", role: .liaison)
            try await Store(api.database).transaction {
                try await StaffAccess().assign(accountID: liaison.id, schools: [seed.school], clusters: [], by: .command("test"), on: $0)
            }
            var visitor = Visitor(api: api)
            #expect(try await ConsoleSignInTests.signIn(&visitor, email: liaison.email).status == .seeOther)
            func post(_ path: String, _ fields: [(String, String)]) async throws -> Visitor.Page {
                try await visitor.post(path, [("csrf", try await visitor.token())] + fields)
            }
            let fields: [(String, String)] = [
                ("title_en", "Family night"), ("kind", "family_night"), ("initiative_id", "\(seed.initiative)"),
                ("school_id", "\(seed.school)"), ("starts_at", "2026-12-10T18:00"), ("ends_at", "2026-12-10T20:00"), ("capacity", "40"),
            ]
            let made = try await post("/console/events", fields)
            #expect(made.status == .seeOther, "\(made.html)")
            let event = try await api.database.query("SELECT max(id) FROM events").one().decode(Int64.self, at: 0)
            // Times are the district's (America/New_York in the fixture): 18:00 there is 23:00 UTC.
            let starts = try await api.database.query("SELECT to_char(starts_at AT TIME ZONE 'UTC', 'HH24:MI') FROM events WHERE id = \(event)")
                .one().decode(String.self, at: 0)
            #expect(starts == "23:00")
            let page = try await visitor.get("/console/events/\(event)")
            let version = try #require(Self.hidden("version", in: page.html))
            let edited = try await post(
                "/console/events/\(event)",
                fields.map { $0.0 == "title_en" ? ("title_en", "Family tech night") : $0 } + [("version", version)]
            )
            #expect(edited.status == .seeOther)
            let stale = try await post("/console/events/\(event)", fields + [("version", version)])
            #expect(stale.status == .preconditionFailed)
            // Elsewhere: another school is out of reach, on the page as in the API.
            let other = try await api.call(
                .post,
                "/api/v1/schools",
                token: api.admin,
                json: ["code": "FAR1", "name": "Far", "cluster": "South", "level": "high", "enrollment": 900]
            ).id
            let moved = try await post("/console/events/\(event)", fields.map { $0.0 == "school_id" ? ("school_id", "\(other)") : $0 })
            #expect(moved.status == .forbidden)
            let cancelled = try await post("/console/events/\(event)/cancel", [("reason", "Snow day")])
            #expect(cancelled.status == .ok && cancelled.html.contains("Snow day"))
            #expect(try await api.count("events WHERE id = \(event) AND cancel_reason = 'Snow day'") == 1)
            let farEvent = try await api.call(
                .post,
                "/api/v1/events",
                token: api.admin,
                json: [
                    "title": "Far", "kind": "meeting", "initiative_ids": [seed.initiative], "school_id": other,
                    "starts_at": "2026-12-10T23:00:00Z", "ends_at": "2026-12-11T01:00:00Z",
                ]
            ).id
            #expect(try await visitor.get("/console/events/\(farEvent)").status == .notFound)
            #expect(try await !visitor.get("/console/events").html.contains("/console/events/\(farEvent)"))
            #expect(try await api.count("audit_log WHERE entity = 'event' AND account_id = \(liaison.id)") == 3)
        }
    }

    @Test func anAdminChangesTheDistrictsSettingsAndABadZoneChangesNothing() async throws {
        try await withAPI { api in
            let admin = try await ConsoleSignInTests.account(api, email: "ana@district.example", role: .admin)
            var visitor = Visitor(api: api)
            #expect(try await ConsoleSignInTests.signIn(&visitor, email: admin.email).status == .seeOther)
            #expect(try await visitor.get("/console/settings").status == .ok)
            let form: [(String, String)] = [
                ("name", "Rivertown Schools"), ("languages", "en, es, vi"), ("default_language", "en"), ("time_zone", "America/Chicago"),
                ("month", "8"), ("day", "15"),
            ]
            let bad = try await visitor.post(
                "/console/settings",
                [("csrf", try await visitor.token())] + form.map { $0.0 == "time_zone" ? ("time_zone", "Mars/Olympus") : $0 }
            )
            #expect(bad.status == .unprocessableContent && bad.html.contains("time_zone"))
            #expect(try await api.count("district_settings WHERE name = 'Rivertown Schools'") == 0)
            let saved = try await visitor.post("/console/settings", [("csrf", try await visitor.token())] + form)
            #expect(saved.status == .ok && saved.html.contains("Saved.") && saved.html.contains("Tiếng Việt"))
            #expect(try await api.count("district_settings WHERE name = 'Rivertown Schools' AND time_zone = 'America/Chicago'") == 1)
            #expect(try await api.count("audit_log WHERE entity = 'district_settings' AND account_id = \(admin.id)") == 1)
        }
    }

    @Test func anAdminImportsSchoolsAllOrNothingWithEveryBadLineNamed() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let existing = try await api.database.query("SELECT code FROM schools WHERE id = \(seed.school)").one().decode(String.self, at: 0)
            let admin = try await ConsoleSignInTests.account(api, email: "ana@district.example", role: .admin)
            var visitor = Visitor(api: api)
            #expect(try await ConsoleSignInTests.signIn(&visitor, email: admin.email).status == .seeOther)
            _ = try await visitor.get("/console/schools")
            let before = try await api.count("schools")
            let bad = "code,name,cluster,level,enrollment\r\nNEW1,Oak,East,elementary,300\r\nNEW2,Elm,East,college,abc\r\nNEW1,Ash,East,high,10\r\n"
            let refused = try await visitor.post("/console/schools/import", [("csrf", try await visitor.token()), ("sheet", bad)])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.html.contains("line 3") && refused.html.contains("line 4") && refused.html.contains("repeats line 2"))
            #expect(try await api.count("schools") == before)
            let good = "Code,Name,Cluster,Level,Enrollment\nNEW1,Oak,East,elementary,300\n\(existing),Renamed,North,elementary,\"1,200\"\n"
            let imported = try await visitor.post("/console/schools/import", [("csrf", try await visitor.token()), ("sheet", good)])
            #expect(imported.status == .ok && imported.html.contains("2 rows imported"), "\(imported.html)")
            #expect(try await api.count("schools") == before + 1)
            let renamed = try await api.database.query(
                "SELECT count(*) FROM schools WHERE code = \(existing) AND name = 'Renamed' AND enrollment = 1200"
            ).one().decode(Int.self, at: 0)
            #expect(renamed == 1)
            let one = try await visitor.post(
                "/console/schools",
                [
                    ("csrf", try await visitor.token()), ("code", "NEW9"), ("name", "Pine"), ("cluster", "West"), ("level", "high"),
                    ("enrollment", "800"),
                ]
            )
            #expect(one.status == .ok && one.html.contains("Pine"))
            #expect(try await api.count("audit_log WHERE entity = 'school' AND account_id = \(admin.id)") == 2)  // the import, the one school
        }
    }

    @Test func aCoordinatorRunsAnOpportunityAndItsShiftsInTheirInitiative() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let coordinator = try await ConsoleSignInTests.account(api, email: "cory@district.example", role: .coordinator)
            try await api.database.query("UPDATE initiatives SET owner_account_id = \(coordinator.id) WHERE id = \(seed.initiative)")
            var visitor = Visitor(api: api)
            #expect(try await ConsoleSignInTests.signIn(&visitor, email: coordinator.email).status == .seeOther)
            func post(_ path: String, _ fields: [(String, String)]) async throws -> Visitor.Page {
                try await visitor.post(path, [("csrf", try await visitor.token())] + fields)
            }
            let made = try await post(
                "/console/opportunities",
                [
                    ("initiative_id", "\(seed.initiative)"), ("title_en", "Library helpers"), ("title_es", "Ayudantes de biblioteca"),
                    ("school_id", "\(seed.school)"), ("starts_at", "2027-01-09T09:00"), ("ends_at", "2027-01-09T12:00"), ("capacity", "2"),
                    ("waitlist", "yes"),
                ]
            )
            #expect(made.status == .seeOther, "\(made.html)")
            let opportunity = try await api.database.query("SELECT max(id) FROM volunteer_opportunities").one().decode(Int64.self, at: 0)
            let shift = try await api.database.query("SELECT id FROM volunteer_shifts WHERE opportunity_id = \(opportunity)").one()
                .decode(Int64.self, at: 0)
            #expect(try await api.call(.post, "/api/v1/shifts/\(shift)/signups", json: EditingAPITests.volunteer).status == .created)
            // Resized, not below the one person confirmed; then cancelled with a reason.
            let page = try await visitor.get("/console/opportunities/\(opportunity)")
            #expect(page.status == .ok && page.html.contains("1 confirmed"))
            let resized = try await post(
                "/console/opportunities/\(opportunity)/shift-\(shift)",
                [("starts_at", "2027-01-09T09:00"), ("ends_at", "2027-01-09T13:00"), ("capacity", "5")]
            )
            #expect(resized.status == .ok && resized.html.contains("Saved."))
            #expect(try await api.count("volunteer_shifts WHERE id = \(shift) AND capacity = 5") == 1)
            let tooSmall = try await post(
                "/console/opportunities/\(opportunity)/shift-\(shift)",
                [("starts_at", "2027-01-09T09:00"), ("ends_at", "2027-01-09T13:00"), ("capacity", "0")]
            )
            #expect(tooSmall.status == .unprocessableContent || tooSmall.status == .conflict)
            #expect(try await post("/console/opportunities/\(opportunity)/shift-\(shift)-cancel", [("reason", "Library closed")]).status == .ok)
            let added = try await post(
                "/console/opportunities/\(opportunity)/add-shift",
                [("starts_at", "2027-01-16T09:00"), ("ends_at", "2027-01-16T12:00"), ("capacity", "3")]
            )
            #expect(added.status == .ok && added.html.contains("Saved."))
            #expect(try await api.count("volunteer_shifts WHERE opportunity_id = \(opportunity)") == 2)
            // The API adds shifts the same way.
            let viaAPI = try await api.call(
                .post,
                "/api/v1/opportunities/\(opportunity)/shifts",
                token: api.admin,
                json: ["starts_at": "2027-01-23T09:00:00Z", "ends_at": "2027-01-23T12:00:00Z", "capacity": 4]
            )
            #expect(viaAPI.status == .created && (viaAPI.json["shifts"] as? [Any])?.count == 3)
            #expect(try await api.call(.post, "/api/v1/shifts/\(shift)/signups", json: EditingAPITests.volunteer).status == .conflict)
            // Another initiative's opportunity is out of reach.
            let other = try await api.call(.post, "/api/v1/initiatives", token: api.admin, json: ["slug": "elsewhere", "title": "Elsewhere"]).id
            let far = try await api.call(
                .post,
                "/api/v1/opportunities",
                token: api.admin,
                json: [
                    "initiative_id": other, "title": "Far",
                    "shifts": [["starts_at": "2027-01-01T10:00:00Z", "ends_at": "2027-01-01T12:00:00Z", "capacity": 3]],
                ]
            ).id
            #expect(try await visitor.get("/console/opportunities/\(far)").status == .notFound)
            #expect(try await post("/console/opportunities/\(far)/cancel", [("reason", "x")]).status == .notFound)
            #expect(try await post("/console/opportunities/\(opportunity)/cancel", [("reason", "Postponed")]).status == .ok)
            #expect(try await api.count("audit_log WHERE account_id = \(coordinator.id) AND entity IN ('opportunity', 'shift')") == 5)
        }
    }

    /// The value of a hidden field of a page.
    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        let rest = html[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]).replacingOccurrences(of: "&quot;", with: "\"") }
    }
}
