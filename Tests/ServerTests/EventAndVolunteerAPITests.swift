import Foundation
import HTTPTypes
import Postgres
import Testing

@Suite("API: events, attendance, volunteering (HTTP + PostgreSQL)")
struct EventAndVolunteerAPITests {
    @Test func liaisonRecordsAnEventHeadcountsAndCheckIns() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let event = try await api.call(
                .post,
                "/api/v1/events",
                token: api.liaison,
                json: [
                    "title": "Family tech night", "kind": "family_night", "initiative_ids": [seed.initiative], "school_id": seed.school,
                    "starts_at": "2026-10-01T23:00:00Z", "ends_at": "2026-10-02T01:00:00Z", "capacity": 80,
                ]
            )
            #expect(event.status == .created, "\(event.text)")
            let path = "/api/v1/events/\(event.id)/attendance"
            #expect(
                try await api.call(.post, path, token: api.liaison, json: ["kind": "headcount", "group": "families", "count": 23]).status == .created
            )
            #expect(
                try await api.call(.post, path, token: api.liaison, json: ["kind": "headcount", "group": "students", "count": 12]).status == .created
            )
            let checkin = try await api.call(
                .post,
                path,
                token: api.liaison,
                json: ["kind": "checkin", "group": "community_partners", "contact": ["phone": "+1 (555) 010-2000", "consent": true]]
            )
            #expect(checkin.status == .created && checkin.json["count"] as? Int == 1)
            let negative = try await api.call(.post, path, token: api.liaison, json: ["kind": "headcount", "group": "families", "count": -3])
            #expect(negative.status == .unprocessableContent && negative.problemFields == ["count"])
            let noCount = try await api.call(.post, path, token: api.liaison, json: ["kind": "headcount", "group": "families"])
            #expect(noCount.problemFields == ["count"])
            let fetched = try await api.call(.get, "/api/v1/events/\(event.id)", token: api.admin)
            #expect(fetched.json["attendance_total"] as? Int == 36)
            #expect(try await api.call(.get, path, token: api.liaison).items.count == 3)
            #expect(
                try await api.call(
                    .post,
                    "/api/v1/events/424242/attendance",
                    token: api.liaison,
                    json: ["kind": "headcount", "group": "families", "count": 1]
                ).status == .notFound
            )
            let listed = try await api.call(.get, "/api/v1/events?initiative_id=\(seed.initiative)", token: api.liaison)
            #expect(listed.items.count == 1)
            let backwards = try await api.call(
                .post,
                "/api/v1/events",
                token: api.liaison,
                json: [
                    "title": "Backwards", "kind": "meeting", "initiative_ids": [seed.initiative],
                    "starts_at": "2026-10-02T00:00:00Z", "ends_at": "2026-10-01T00:00:00Z",
                ]
            )
            #expect(backwards.status == .unprocessableContent && backwards.problemFields == ["ends_at"])
            let farFuture = try await api.call(
                .post,
                "/api/v1/events",
                token: api.liaison,
                json: [
                    "title": "Far", "kind": "meeting", "initiative_ids": [seed.initiative],
                    "starts_at": "9999-01-01T00:00:00Z", "ends_at": "9999-01-02T00:00:00Z",
                ]
            )
            #expect(farFuture.status == .unprocessableContent)
            let unknownInitiative = try await api.call(
                .post,
                "/api/v1/events",
                token: api.liaison,
                json: [
                    "title": "X", "kind": "meeting", "initiative_ids": [77_777], "starts_at": "2026-10-01T00:00:00Z",
                    "ends_at": "2026-10-01T01:00:00Z",
                ]
            )
            #expect(unknownInitiative.problemFields == ["initiative_ids"])
            #expect(try await api.count("events") == 1)
            #expect(try await api.count("attendance") == 3)
        }
    }

    @Test func signUpsFillThenWaitlistAndCancellationPromotes() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let opportunity = try await api.call(
                .post,
                "/api/v1/opportunities",
                token: api.admin,
                json: [
                    "initiative_id": seed.initiative, "title": "Library helpers",
                    "shifts": [
                        ["starts_at": "2030-03-01T15:00:00Z", "ends_at": "2030-03-01T17:00:00Z", "capacity": 2],
                        ["starts_at": "2030-03-02T15:00:00Z", "ends_at": "2030-03-02T17:00:00Z", "capacity": 1, "waitlist": false],
                    ],
                ]
            )
            #expect(opportunity.status == .created, "\(opportunity.text)")
            let shifts = (opportunity.json["shifts"] as? [[String: Any]] ?? []).map { ($0["id"] as! NSNumber).int64Value }
            func signUp(_ shift: Int64, _ email: String) async throws -> APIFixture.Reply {
                try await api.call(
                    .post,
                    "/api/v1/shifts/\(shift)/signups",
                    json: ["group": "families", "contact": ["email": email, "consent": true]]
                )
            }
            let statuses = try await [signUp(shifts[0], "a@x.org"), signUp(shifts[0], "b@x.org"), signUp(shifts[0], "c@x.org")]
                .map { $0.json["status"] as? String }
            #expect(statuses == ["confirmed", "confirmed", "waitlisted"])
            #expect(try await signUp(shifts[0], "A@X.org").status == .conflict)  // the same person again
            #expect(try await signUp(shifts[1], "a@x.org").status == .created)
            let full = try await signUp(shifts[1], "b@x.org")
            #expect(full.status == .conflict && full.isProblem)
            let noConsent = try await api.call(
                .post,
                "/api/v1/shifts/\(shifts[0])/signups",
                json: ["group": "families", "contact": ["email": "d@x.org", "consent": false]]
            )
            #expect(noConsent.problemFields == ["contact.consent"])
            let public_ = try await api.call(.get, "/api/v1/opportunities?initiative_id=\(seed.initiative)")
            #expect((public_.items.first?["shifts"] as? [[String: Any]])?.first?["remaining"] as? Int == 0)

            let signups = try await api.database.query("SELECT id FROM signups WHERE shift_id = \(shifts[0]) ORDER BY id")
            let first = try signups.first!.decode(Int64.self, at: 0)
            let cancelled = try await api.call(.patch, "/api/v1/signups/\(first)", token: api.liaison, json: ["status": "cancelled"])
            #expect(cancelled.json["status"] as? String == "cancelled")
            let promoted = try await api.database.query(
                "SELECT count(*) FROM signups WHERE shift_id = \(shifts[0]) AND status = 'confirmed'"
            ).first!.decode(Int.self, at: 0)
            #expect(promoted == 2)
            let second = try Array(signups)[1].decode(Int64.self, at: 0)
            let early = try await api.call(.patch, "/api/v1/signups/\(second)", token: api.admin, json: ["hours_approved": 2])
            #expect(early.problemFields == ["hours_approved"])
            let attended = try await api.call(
                .patch,
                "/api/v1/signups/\(second)",
                token: api.admin,
                json: ["status": "attended", "hours_reported": 2.5, "hours_approved": 2]
            )
            #expect(attended.json["hours_approved"] as? Double == 2)
            #expect(
                try await api.call(.patch, "/api/v1/signups/\(second)", token: api.admin, json: ["hours_reported": 30]).status
                    == .unprocessableContent
            )
        }
    }

    @Test func contactReadsAreLoggedForAdminsOnly() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let sent = try await api.call(
                .post,
                "/api/v1/feedback",
                json: [
                    "initiative_id": seed.initiative, "comment": "call me", "contact": ["name": "Ana", "email": "ana@example.org", "consent": true],
                ]
            )
            #expect(sent.status == .created)
            let participant = try await api.database.query("SELECT participant_id FROM feedback").first!.decode(Int64.self, at: 0)
            #expect(try await api.call(.get, "/api/v1/participants/\(participant)/contact", token: api.liaison).status == .forbidden)
            #expect(try await api.count("pii_access_log") == 0)
            let contact = try await api.call(.get, "/api/v1/participants/\(participant)/contact", token: api.admin)
            #expect(contact.json["email"] as? String == "ana@example.org")
            #expect(try await api.count("pii_access_log") == 1)
            #expect(try await api.call(.get, "/api/v1/participants/424242/contact", token: api.admin).status == .notFound)
        }
    }
}
