import Engagement
import Foundation
import HTTPTypes
import Postgres
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
                ])
            #expect(created.status == .seeOther)
            let eventPath = try #require(created.headers[.location]?.split(separator: "?").first.map(String.init))
            // A quick headcount by group.
            let counted = try await liaison.post(
                eventPath + "/headcount", [("csrf", try await liaison.token()), ("count_families", "12"), ("count_students", "3")])
            #expect(counted.status == .ok && counted.html.contains("Saved.") && counted.html.contains("<strong>15</strong>"))
            // One check-in with contact details and consent.
            let checkedIn = try await liaison.post(
                eventPath + "/checkin",
                [("csrf", try await liaison.token()), ("group", "families"), ("contact_email", "rosa@example.org"), ("contact_consent", "yes")])
            #expect(checkedIn.status == .ok && checkedIn.html.contains("<strong>16</strong>"))
            // A sign-in sheet with a bad line: listed by number, nothing imported; then fixed.
            let bad = try await liaison.post(
                eventPath + "/sheet", [("csrf", try await liaison.token()), ("sheet", "group,count\nfamilies,4\nmartians,2\n")])
            #expect(bad.status == .unprocessableContent && bad.html.contains("line 3: unknown group"))
            #expect(bad.html.contains("martians,2"))  // the pasted sheet is kept
            #expect(try await api.count("attendance") == 3)
            let good = try await liaison.post(
                eventPath + "/sheet", [("csrf", try await liaison.token()), ("sheet", "group,count\nfamilies,4\nstudents,2\n")])
            #expect(good.status == .ok && good.html.contains("2 rows imported.") && good.html.contains("<strong>22</strong>"))
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
