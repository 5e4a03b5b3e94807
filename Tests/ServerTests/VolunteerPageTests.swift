import Engagement
import Foundation
import HTTPTypes
import Postgres
import PostgresTesting
import Testing

@testable import Server

/// Issue 16, build 5: the landing page groups shifts under their opportunity; after a shift the
/// volunteer gets a link (read from the email the loopback SMTP server received), reports hours
/// on it, and a coordinator approves them in the console, audited.
@Suite("Volunteer pages: grouped shifts and hours (HTTP + PostgreSQL + msmtp + loopback SMTP)")
struct VolunteerPageTests {
    @Test func theLandingPageShowsEachOpportunityOnceWithItsNextDates() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let first = Date().addingTimeInterval(2 * 86_400)
            let opportunity = try await api.database.withTransaction { db in
                try await Volunteering().createOpportunity(
                    .init(
                        initiativeID: seed.initiative,
                        title: Translated(["en": "Reading buddies"]),
                        description: Translated(),
                        schoolID: seed.school,
                        shifts: (0..<5).map {
                            .init(
                                startsAt: first.addingTimeInterval(Double($0) * 86_400),
                                endsAt: first.addingTimeInterval(Double($0) * 86_400 + 3600),
                                capacity: 4
                            )
                        }
                    ),
                    on: db
                )
            }
            var visitor = Visitor(api: api)
            let home = try await visitor.get("/?lang=en")
            #expect(home.html.components(separatedBy: "Reading buddies").count - 1 == 1)
            let shiftLinks = opportunity.shifts.map { #"href="/volunteer/\#($0.id)?lang=en""# }
            #expect(shiftLinks.prefix(3).allSatisfy(home.html.contains) && !shiftLinks.suffix(2).contains(where: home.html.contains))
            #expect(home.html.contains("All 5 dates") && home.html.contains("Lincoln Elementary"))
            let page = try await visitor.get("/volunteer/opportunities/\(opportunity.id)?lang=en")
            #expect(page.status == .ok && shiftLinks.allSatisfy(page.html.contains))
            #expect(try await visitor.get("/volunteer/opportunities/999999").status == .notFound)
        }
    }

    @Test func afterTheShiftTheVolunteerReportsHoursAndACoordinatorApprovesThem() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        try await withAPI { api in
            let seed = try await api.seed()
            let ended = Date().addingTimeInterval(-3 * 3600)
            let signup = try await api.database.withTransaction { db in
                let opportunity = try await Volunteering().createOpportunity(
                    .init(
                        initiativeID: seed.initiative,
                        title: Translated(["en": "Book fair"]),
                        description: Translated(),
                        schoolID: nil,
                        shifts: [.init(startsAt: ended.addingTimeInterval(-7200), endsAt: ended, capacity: 2)]
                    ),
                    on: db
                )
                return try await Volunteering().signUp(
                    shiftID: opportunity.shifts[0].id,
                    group: .families,
                    contact: .init(email: "hal@example.org", consent: true),
                    now: ended.addingTimeInterval(-86_400),
                    on: db
                )
            }
            try await api.database.query("DELETE FROM outbox")  // the confirmation, long sent
            #expect(try await api.database.withTransaction { try await VolunteerHours().schedule(on: $0) } == 1)
            #expect(try await api.database.withTransaction { try await VolunteerHours().schedule(on: $0) } == 0)
            let delivery = MessageDelivery(
                database: api.database,
                configuration: .init(
                    mail: Msmtp(settings: try .init(url: sink.url, from: "chorus@district.example", replyTo: nil)),
                    publicURL: "https://chorus.district.example",
                    texts: try MessageStrings.texts()
                )
            )
            let id = try await api.database.query("SELECT id FROM outbox").one().decode(Int64.self, at: 0)
            try await delivery.deliver(id)
            let mail = try #require(try await sink.wait(for: 1).first)
            #expect(mail.subject.hasPrefix("Thank you! How many hours did you give?"))
            let link = try #require(mail.link(startingWith: "https://chorus.district.example/volunteer/hours/"))
            let path = String(link.dropFirst("https://chorus.district.example".count))

            var visitor = Visitor(api: api)
            #expect(try await visitor.get(path).html.contains(#"name="hours""#))
            let bad = try await visitor.post(path, [("hours", "lots")])
            #expect(bad.status == .unprocessableContent && bad.html.contains("Enter the hours as a number"))
            #expect(try await visitor.post(path, [("hours", "99")]).status == .unprocessableContent)
            #expect(try await visitor.post(path, [("hours", "2,5")]).status == .ok)
            let reported = try await api.database.withConnection { try await Volunteering().signup(id: signup.id, on: $0) }
            #expect(reported.hoursReported == 2.5 && reported.hoursApproved == nil)
            #expect(try await visitor.get("/volunteer/hours/\(signup.id)-AAAAAAAAAAAAAAAAAAAAAA").status == .notFound)

            let coordinator = try await ConsoleSignInTests.account(api, email: "cora@district.example", role: .coordinator)
            var staff = Visitor(api: api)
            #expect(try await ConsoleSignInTests.signIn(&staff, email: coordinator.email).status == .seeOther)
            // A coordinator sees the hours of their own initiatives only.
            #expect(!(try await staff.get("/console/hours?lang=en").html.contains("S-\(signup.id)")))
            try await api.database.query("UPDATE initiatives SET owner_account_id = \(coordinator.id) WHERE id = \(seed.initiative)")
            staff = Visitor(api: api)
            #expect(try await ConsoleSignInTests.signIn(&staff, email: coordinator.email).status == .seeOther)
            let list = try await staff.get("/console/hours?lang=en")
            #expect(list.html.contains("S-\(signup.id)") && list.html.contains(#"value="2.5""#) && !list.html.contains("hal@"))
            let approved = try await staff.post("/console/hours/\(signup.id)?lang=en", [("csrf", try await staff.token()), ("hours", "2")])
            #expect(approved.status == .ok && approved.html.contains("Hours approved."))
            let final = try await api.database.withConnection { try await Volunteering().signup(id: signup.id, on: $0) }
            #expect(final.status == .attended && final.hoursApproved == 2)
            #expect(
                try await api.database.query("SELECT count(*) FROM audit_log WHERE action = 'approve_hours' AND entity_id = \(String(signup.id))")
                    .one()
                    .decode(Int.self, at: 0) == 1
            )
            // Approved: the link closes.
            #expect(try await visitor.post(path, [("hours", "3")]).status == .conflict)
        }
    }

    @Test func eachOpportunityHasItsOwnReminderLeadTimeOrNone() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            let starts = Date().addingTimeInterval(4 * 86_400)
            let opportunity = try await api.database.withTransaction { db in
                let made = try await Volunteering().createOpportunity(
                    .init(
                        initiativeID: seed.initiative,
                        title: Translated(["en": "Science fair judges"]),
                        description: Translated(),
                        schoolID: nil,
                        shifts: [.init(startsAt: starts, endsAt: starts.addingTimeInterval(3600), capacity: 3)],
                        reminderHours: nil
                    ),
                    on: db
                )
                _ = try await Volunteering().signUp(
                    shiftID: made.shifts[0].id,
                    group: .communityPartners,
                    contact: .init(email: "ida@example.org", consent: true),
                    on: db
                )
                return made
            }
            #expect(opportunity.reminderHours == nil)
            let remind = { (hoursBefore: Double) in
                try await api.database.withTransaction {
                    try await VolunteerReminders().schedule(now: starts.addingTimeInterval(-hoursBefore * 3600), on: $0)
                }
            }
            #expect(try await remind(1) == 0)  // off: none, even an hour before
            // An administrator sets 48 hours in the console; the API's own edits leave it alone.
            let admin = try await ConsoleSignInTests.account(api, email: "ada@district.example", role: .admin)
            var staff = Visitor(api: api)
            #expect(try await ConsoleSignInTests.signIn(&staff, email: admin.email).status == .seeOther)
            let page = try await staff.get("/console/opportunities/\(opportunity.id)?lang=en")
            let version = try #require(page.html.firstMatch(of: /name="version" value="([^"]+)"/)?.1)
            let saved = try await staff.post(
                "/console/opportunities/\(opportunity.id)?lang=en",
                [
                    ("csrf", try await staff.token()), ("version", String(version).replacingOccurrences(of: "&quot;", with: "\"")),
                    ("title_en", "Science fair judges"), ("reminder_hours", "48"),
                ]
            )
            #expect(saved.status == .ok, "\(saved.html.prefix(300))")
            #expect(try await staff.get("/console/opportunities/\(opportunity.id)?lang=en").html.contains(#"name="reminder_hours" value="48""#))
            #expect(try await remind(49) == 0)
            #expect(try await remind(47) == 1)
            try await api.database.withTransaction { db in
                _ = try await Volunteering().updateOpportunity(
                    id: opportunity.id,
                    title: Translated(["en": "Judges"]),
                    description: Translated(),
                    schoolID: nil,
                    on: db
                )
            }
            #expect(
                try await api.database.withConnection { try await Volunteering().lockOpportunity(id: opportunity.id, on: $0) }.reminderHours == 48
            )
        }
    }
}
