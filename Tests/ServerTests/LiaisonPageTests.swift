import Engagement
import Foundation
import HTTPTypes
import Postgres
import Server
import Testing

@Suite("Liaison pages (HTTP + PostgreSQL)")
struct LiaisonPageTests {
    @Test func aLiaisonSignsInRecordsAnEventAHeadcountACheckInAndASheet() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            var liaison = Visitor(api: api)
            // Not signed in: sent to the sign-in page.
            let away = try await liaison.get("/liaison")
            #expect(away.status == .seeOther && away.headers[.location]?.hasPrefix("/liaison/login") == true)
            _ = try await liaison.get("/liaison/login")
            let wrong = try await liaison.post("/liaison/login", [("csrf", try await liaison.token()), ("token", "not-a-token")])
            #expect(wrong.status == .unauthorized && wrong.html.contains("This token is not valid"))
            let signedIn = try await liaison.post("/liaison/login", [("csrf", try await liaison.token()), ("token", api.liaison)])
            #expect(signedIn.status == .seeOther)
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("chorus_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && !cookie.contains(api.liaison))
            // Record an event.
            let events = try await liaison.get("/liaison?lang=en")
            #expect(events.status == .ok && events.html.contains("Record an event"))
            let created = try await liaison.post(
                "/liaison/events",
                [
                    ("csrf", try await liaison.token()), ("title", "Family tech night"), ("kind", "family_night"),
                    ("initiative_id", String(seed.initiative)), ("school_id", String(seed.school)), ("starts_at", "2026-11-20 18:00"),
                    ("ends_at", "2026-11-20 20:00"), ("capacity", "80"),
                ]
            )
            #expect(created.status == .seeOther)
            let eventPath = try #require(created.headers[.location]?.split(separator: "?").first.map(String.init))
            // A quick headcount by group.
            let counted = try await liaison.post(
                eventPath + "/headcount",
                [("csrf", try await liaison.token()), ("count_families", "12"), ("count_students", "3")]
            )
            #expect(counted.status == .ok && counted.html.contains("Saved.") && counted.html.contains("<strong>15</strong>"))
            // One check-in with contact details and consent.
            let checkedIn = try await liaison.post(
                eventPath + "/checkin",
                [("csrf", try await liaison.token()), ("group", "families"), ("contact_email", "rosa@example.org"), ("contact_consent", "yes")]
            )
            #expect(checkedIn.status == .ok && checkedIn.html.contains("<strong>16</strong>"))
            // A sign-in sheet with a bad line: listed by number, nothing imported; then fixed.
            let bad = try await liaison.post(
                eventPath + "/sheet",
                [("csrf", try await liaison.token()), ("sheet", "group,count\nfamilies,4\nmartians,2\n")]
            )
            #expect(bad.status == .unprocessableContent && bad.html.contains("line 3: unknown group"))
            #expect(bad.html.contains("martians,2"))  // the pasted sheet is kept
            #expect(try await api.count("attendance") == 3)
            let good = try await liaison.post(
                eventPath + "/sheet",
                [("csrf", try await liaison.token()), ("sheet", "group,count\nfamilies,4\nstudents,2\n")]
            )
            #expect(good.status == .ok && good.html.contains("2 rows imported.") && good.html.contains("<strong>22</strong>"))
            // A sheet uploaded as a file (multipart), as the file input sends it.
            let uploaded = try await liaison.postMultipart(
                eventPath + "/sheet",
                [("csrf", try await liaison.token())],
                file: (field: "sheet_file", name: "sheet.csv", content: "grupo,cantidad\nfamilia,5\n")
            )
            #expect(uploaded.status == .ok && uploaded.html.contains("1 rows imported.") && uploaded.html.contains("<strong>27</strong>"))
            // Every form's error path: comes back 422 with its message, nothing recorded.
            let noTitle = try await liaison.post(
                "/liaison/events",
                [("csrf", try await liaison.token()), ("kind", "meeting"), ("starts_at", "2026-11-20 18:00")]
            )
            #expect(noTitle.status == .unprocessableContent && noTitle.html.contains("Check the event"))
            let backwards = try await liaison.post(
                "/liaison/events",
                [
                    ("csrf", try await liaison.token()), ("title", "Backwards"), ("kind", "meeting"), ("initiative_id", String(seed.initiative)),
                    ("starts_at", "2026-11-20 18:00"), ("ends_at", "2026-11-20 17:00"),
                ]
            )
            #expect(backwards.status == .unprocessableContent && backwards.html.contains(#"value="Backwards""#))
            let notANumber = try await liaison.post(eventPath + "/headcount", [("csrf", try await liaison.token()), ("count_families", "lots")])
            #expect(notANumber.status == .unprocessableContent)
            let noGroup = try await liaison.post(eventPath + "/checkin", [("csrf", try await liaison.token())])
            #expect(noGroup.status == .unprocessableContent && noGroup.html.contains("Choose who you are."))
            let expired = try await liaison.post(eventPath + "/headcount", [("count_families", "3")])
            #expect(expired.status == .unprocessableContent && expired.html.contains("This form expired"))
            #expect(try await api.count("events") == 1)
            #expect(try await api.database.query("SELECT sum(count) FROM attendance").first!.decode(Int.self, at: 0) == 27)
            // Signing out ends it; so does revoking the token.
            _ = try await liaison.post("/liaison/logout", [("csrf", try await liaison.token())])
            #expect(try await liaison.get("/liaison").status == .seeOther)
        }
    }

    @Test func aRevokedTokenEndsTheSession() async throws {
        try await withAPI { api in
            var liaison = Visitor(api: api)
            _ = try await liaison.get("/liaison/login")
            _ = try await liaison.post("/liaison/login", [("csrf", try await liaison.token()), ("token", api.liaison)])
            #expect(try await liaison.get("/liaison").status == .ok)
            try await api.database.query("UPDATE api_tokens SET revoked_at = now() WHERE role = 'liaison'")
            #expect(try await liaison.get("/liaison").status == .seeOther)
            // A forged session cookie is not a session.
            var forger = Visitor(api: api)
            forger.cookies["chorus_session"] = "1.9999999999.AAAA"
            #expect(try await forger.get("/liaison").status == .seeOther)
        }
    }
}

@Suite("Dashboard pages (HTTP + PostgreSQL)")
struct DashboardPageTests {
    @Test func listAndInitiativeWithChartsAndEscapedExamples() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            for n in 0..<12 {
                let comment = n == 11 ? #"<script>alert("x")</script> the wifi is down"# : "The wifi at school is great \(n)"
                try await api.call(.post, "/api/v1/feedback", json: ["initiative_id": seed.initiative, "school_id": seed.school, "comment": comment])
            }
            let scoring = try TextScoring(database: api.database)
            for id in try await api.database.query("SELECT id FROM feedback").map({ try $0.decode(Int64.self, at: 0) }) {
                try await scoring.score(.init(source: "feedback", id: id))
            }
            try await Rollups(database: api.database).refreshPending()
            var admin = Visitor(api: api)
            #expect(try await admin.get("/dashboard").status == .seeOther)  // sign in first
            _ = try await admin.get("/liaison/login")
            _ = try await admin.post("/liaison/login", [("csrf", try await admin.token()), ("token", api.admin)])
            let list = try await admin.get("/dashboard?lang=en")
            #expect(list.status == .ok && list.html.contains("Engagement index") && list.html.contains(">Technology</span></a>"))
            let card = try await admin.get("/dashboard/initiatives/\(seed.initiative)?lang=en&period=year")
            #expect(card.status == .ok)
            // Four charts, each an image with a title and a description in words.
            #expect(card.html.components(separatedBy: #"role="img""#).count == 5)
            #expect(card.html.contains("<title id=\"weekly-title\">Week by week</title>"))
            #expect(card.html.contains("<title id=\"equity-title\">"))
            #expect(card.html.contains("<desc id=\"components-desc\">reach"))
            // The theme's example comments, escaped; no script anywhere.
            #expect(card.html.contains("tech-"))
            #expect(card.html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; the wifi is down"))
            #expect(!card.html.contains("<script"))
            // The initiative's survey, linked to its results page.
            #expect(
                card.html.contains(#"<a href="/console/surveys/\#(seed.survey)/results"><span>Laptops</span></a> <span class="hint">(open)</span>"#)
            )
            // Filters: a group with nobody in it shows suppressed cells rather than zeros.
            let students = try await admin.get("/dashboard/initiatives/\(seed.initiative)?lang=en&group=students")
            #expect(students.status == .ok && students.html.contains("suppressed (under 10 people)"))
            // Spanish; the language switch keeps the filters.
            #expect(try await admin.get("/dashboard?lang=es").html.contains("Índice de participación"))
            #expect(students.html.contains(#"href="/dashboard/initiatives/\#(seed.initiative)?group=students&amp;lang=es""#))
        }
    }
}
