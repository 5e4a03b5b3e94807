import Engagement
import Foundation
import Postgres
import PostgresTesting
import Scoring
import Testing

/// Issue 17: cases open with each comment, route by rules (A3), flag critical terms, answer
/// families in their language through the outbox, and measure response time (A5).
@Suite("Cases, routing and response time (PostgreSQL)")
struct CasesTests {
    struct World {
        let db: PostgresClient
        let initiative: Int64
        let other: Int64
        let north: Int64
        let south: Int64
        let owner: Int64
        let coordinator: Int64
        let liaison: Int64
        let admin: Audit.Actor

        /// A comment, scored as the job would (so it is routed), and its case id.
        func comment(
            _ text: String,
            initiative: Int64? = nil,
            school: Int64? = nil,
            language: String = "en",
            email: String? = nil
        ) async throws -> Int64 {
            let receipt = try await db.withTransaction { tx in
                try await Submissions().submitFeedback(
                    .init(
                        initiativeID: initiative ?? self.initiative,
                        schoolID: school,
                        group: .families,
                        language: language,
                        comment: text,
                        contact: email.map { ContactDetails(email: $0, consent: true) }
                    ),
                    on: tx
                )
            }
            try await TextScoring(database: db).score(.init(source: "feedback", id: receipt.id))
            return try await db.query("SELECT id FROM cases WHERE source = 'feedback' AND source_id = \(receipt.id)").one().decode(Int64.self, at: 0)
        }

        func owner(of caseID: Int64) async throws -> (Int64?, Int64?, String) {
            try await db.query("SELECT owner_account_id, team_id, status::text FROM cases WHERE id = \(caseID)").one()
                .decode((Int64?, Int64?, String).self)
        }
    }

    func withWorld(_ body: (World) async throws -> Void) async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let admin = Audit.Actor.command("test")
            let world = try await db.withTransaction { tx in
                func account(_ name: String, _ role: StaffRole) async throws -> Int64 {
                    try await StaffAccounts().create(name: name, email: "\(name.lowercased())@district.example", role: role, by: admin, on: tx).0.id
                }
                let owner = try await account("Olga", .coordinator)
                let coordinator = try await account("Carmen", .coordinator)
                let liaison = try await account("Luis", .liaison)
                let data = ReferenceData()
                let initiative = try await data.createInitiative(
                    .init(
                        slug: "nutrition",
                        title: Translated(["en": "Nutrition", "es": "Nutrición"]),
                        themeKeywords: ["lunch", "menu"],
                        ownerAccountID: owner
                    ),
                    on: tx
                )
                let other = try await data.createInitiative(.init(slug: "laptops", title: Translated(["en": "Laptops"])), on: tx)
                let north = try await data.createSchool(.init(code: "N1", name: "North", cluster: "North", level: "high", enrollment: 500), on: tx)
                let south = try await data.createSchool(.init(code: "S1", name: "South", cluster: "South", level: "high", enrollment: 500), on: tx)
                return World(
                    db: db,
                    initiative: initiative.id,
                    other: other.id,
                    north: north.id,
                    south: south.id,
                    owner: owner,
                    coordinator: coordinator,
                    liaison: liaison,
                    admin: admin
                )
            }
            try await body(world)
        }
    }

    @Test func routingRulesFirstMatchOfEachKindAndTheFallback() async throws {
        try await withWorld { w in
            let routing = CaseRouting()
            let team = try await w.db.query("INSERT INTO staff_teams (name) VALUES ('Food services') RETURNING id").one().decode(Int64.self, at: 0)
            try await w.db.withTransaction { tx in
                // Order matters: the keyword rule comes first, so it wins over the school rule.
                try await routing.add(.init(keyword: "bus stop", ownerAccountID: w.liaison), actor: w.admin, on: tx)
                try await routing.add(.init(schoolID: w.north, ownerAccountID: w.coordinator), actor: w.admin, on: tx)
                try await routing.add(.init(cluster: "South", teamID: team), actor: w.admin, on: tx)
                try await routing.add(.init(theme: "nutrition", ownerAccountID: w.liaison), actor: w.admin, on: tx)
                try await routing.add(.init(initiativeID: w.other, ownerAccountID: w.coordinator), actor: w.admin, on: tx)
            }
            // Keyword (folded, plural): the first rule, even at North.
            let keyword = try await w.comment("Kids wait at the Bus Stops with no shelter", school: w.north)
            #expect(try await w.owner(of: keyword) == (w.liaison, nil, "assigned"))
            // School.
            let school = try await w.comment("The front office was helpful", school: w.north)
            #expect(try await w.owner(of: school) == (w.coordinator, nil, "assigned"))
            // Cluster → a team.
            let cluster = try await w.comment("Pick-up is chaotic", school: w.south)
            #expect(try await w.owner(of: cluster) == (nil, team, "assigned"))
            // Theme (from scoring: "lunch" is a nutrition keyword).
            let theme = try await w.comment("The lunch portions are small")
            #expect(try await w.owner(of: theme) == (w.liaison, nil, "assigned"))
            // Initiative.
            let initiative = try await w.comment("My laptop charger broke", initiative: w.other)
            #expect(try await w.owner(of: initiative) == (w.coordinator, nil, "assigned"))
            // No rule: the initiative's owner.
            let fallback = try await w.comment("Thanks for the new water fountains")
            #expect(try await w.owner(of: fallback) == (w.owner, nil, "assigned"))
            // Moving a rule up changes who wins; a rescore routes nothing again.
            let rules = try await w.db.withConnection { try await routing.rules(on: $0) }
            try await w.db.withTransaction { try await routing.change(rules[1].id, action: "up", actor: w.admin, on: $0) }
            let moved = try await w.comment("Bus stop lighting is out", school: w.north)
            #expect(try await w.owner(of: moved) == (w.coordinator, nil, "assigned"))
            let feedbackID = try await w.db.query("SELECT source_id FROM cases WHERE id = \(keyword)").one().decode(Int64.self, at: 0)
            try await TextScoring(database: w.db).score(.init(source: "feedback", id: feedbackID))
            #expect(try await w.owner(of: keyword) == (w.liaison, nil, "assigned"))
            #expect(
                try await w.db.query("SELECT count(*)::int FROM case_history WHERE case_id = \(keyword) AND kind = 'routed'").one().decode(
                    Int.self,
                    at: 0
                ) == 1
            )
            // A rule without a condition, or with two owners, is refused.
            await #expect(throws: EngagementError.self) {
                try await w.db.withTransaction { try await routing.add(.init(ownerAccountID: w.liaison), actor: w.admin, on: $0) }
            }
            await #expect(throws: EngagementError.self) {
                try await w.db.withTransaction {
                    try await routing.add(.init(keyword: "x", ownerAccountID: w.liaison, teamID: team), actor: w.admin, on: $0)
                }
            }
        }
    }

    @Test func criticalTermsAreFlaggedAtOnceInEveryListAndMisspelled() async throws {
        try await withWorld { w in
            try await w.db.query("UPDATE staff_accounts SET receives_alerts = true WHERE id = \(w.owner)")
            let texts: [(String, String, Bool)] = [
                ("A boy brought a knife to school", "en", true),
                ("Mi hija sufre acoso todos los días", "es", true),
                ("Mon fils est harcelé à la récréation", "fr", true),
                ("My son is being bulied and nobody helps", "en", true),  // misspelled
                ("Con tôi bị bắt nạt ở trường", "vi", true),
                ("我的孩子在学校被欺负", "zh-Hans", true),
                ("ابني يتعرض للتنمر في المدرسة", "ar", true),
                ("The lunch menu is great this week", "en", false),
                ("They treat the kids well", "en", false),
            ]
            for (text, language, critical) in texts {
                let receipt = try await w.db.withTransaction { tx in
                    try await Submissions().submitFeedback(
                        .init(initiativeID: w.initiative, schoolID: nil, group: .families, language: language, comment: text, contact: nil),
                        on: tx
                    )
                }
                // Flagged in the submission's own transaction, before any scoring.
                let flagged = try await w.db.query("SELECT critical FROM cases WHERE source = 'feedback' AND source_id = \(receipt.id)").one()
                    .decode(Bool.self, at: 0)
                #expect(flagged == critical, "\(text)")
            }
            // One alert per critical case to the one account that receives alerts, carrying the case only.
            let alerts = try await w.db.query("SELECT account_id, data::text FROM outbox WHERE purpose = 'alerts'").map {
                try $0.decode((Int64?, String).self)
            }
            #expect(alerts.count == 7 && alerts.allSatisfy { $0.0 == w.owner && $0.1.hasPrefix("{\"case\":") })
            // The district's own term, in any language.
            try await w.db.query("INSERT INTO critical_terms (language, term) VALUES ('en', 'fentanyl')")
            let own = try await w.comment("Someone sells fentanyl near the gym")
            #expect(try await w.db.query("SELECT critical_reason FROM cases WHERE id = \(own)").one().decode(String?.self, at: 0) == "fentanyl")
            // Strongly negative sentiment flags at scoring.
            let negative = try await w.comment("This is horrible, terrible, the worst, disgusting and awful. I hate it.")
            #expect(
                try await w.db.query("SELECT critical, critical_reason FROM cases WHERE id = \(negative)").one().decode((Bool, String).self) == (
                    true, "sentiment"
                )
            )
        }
    }

    @Test func replyReachesTheFamilyInTheirLanguageAndAnswersTheCase() async throws {
        try await withWorld { w in
            let caseID = try await w.comment("El menú del almuerzo no tiene opciones vegetarianas", language: "es", email: "familia@example.org")
            let anonymous = try await w.comment("Please add more fruit at lunch")
            let cases = Cases()
            let scope = StaffScope(schools: nil, initiatives: [w.initiative])
            let owner = Audit.Actor.account(w.owner)
            let detail = try #require(try await w.db.withConnection { try await cases.detail(caseID, scope: scope, accountID: w.owner, on: $0) })
            #expect(detail.summary.canEmail && detail.summary.status == .assigned && detail.summary.language == "es")
            #expect(detail.history.map(\.kind) == ["opened", "routed"])
            let outcome = try await w.db.withTransaction {
                try await cases.reply(
                    caseID,
                    "Gracias: desde el lunes habrá un plato vegetariano.",
                    publish: false,
                    scope: scope,
                    actor: owner,
                    on: $0
                )
            }
            #expect(outcome.emailed == 1)
            let message = try await w.db.query("SELECT language, template, purpose::text FROM outbox WHERE purpose = 'replies'").one()
                .decode((String, String, String).self)
            #expect(message == ("es", "case_reply", "replies"))
            let anonymousOutcome = try await w.db.withTransaction {
                try await cases.reply(anonymous, "We will, from March.", publish: true, scope: scope, actor: owner, on: $0)
            }
            #expect(anonymousOutcome.emailed == 0 && anonymousOutcome.published)
            let after = try #require(try await w.db.withConnection { try await cases.detail(caseID, scope: scope, accountID: w.owner, on: $0) })
            #expect(after.summary.status == .answered && after.summary.firstResponseAt != nil)
            #expect(
                try await w.db.query("SELECT count(*)::int FROM audit_log WHERE entity = 'case' AND action = 'reply'").one().decode(Int.self, at: 0)
                    == 2
            )
            // A liaison of no school cannot see or touch the case; a note is internal; no_action needs a reason.
            let liaisonScope = StaffScope(schools: [w.north], initiatives: nil)
            #expect(try await w.db.withConnection { try await cases.detail(caseID, scope: liaisonScope, accountID: w.liaison, on: $0) } == nil)
            await #expect(throws: EngagementError.self) {
                try await w.db.withTransaction {
                    try await cases.note(caseID, "x", scope: liaisonScope, actor: .account(w.liaison), on: $0)
                }
            }
            await #expect(throws: EngagementError.self) {
                try await w.db.withTransaction { try await cases.setStatus(caseID, .noAction, reason: " ", scope: scope, actor: owner, on: $0) }
            }
            try await w.db.withTransaction { try await cases.setStatus(caseID, .closed, reason: nil, scope: scope, actor: owner, on: $0) }
            let open = try await w.db.withConnection { try await cases.list(.init(), scope: scope, accountID: w.owner, on: $0) }
            #expect(!open.contains { $0.id == caseID })
        }
    }

    /// A5: figures worked out by hand from the timestamps below.
    @Test func responseTimeFiguresByHand() async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func hoursAgo(_ h: Double) -> Date { now.addingTimeInterval(-h * 3600) }
        let a = (key: "a", name: "A")
        let b = (key: "b", name: "B")
        let north = (key: "N1", name: "North")
        let olga = (key: "1", name: "Olga")
        let cases = [
            // Answered after 10 h, 30 h and 60 h (initiative a), 5 h (b).
            Responsiveness.Case(initiative: a, school: north, owner: olga, openedAt: hoursAgo(100), firstResponseAt: hoursAgo(90), open: false),
            Responsiveness.Case(initiative: a, school: north, owner: olga, openedAt: hoursAgo(100), firstResponseAt: hoursAgo(70), open: false),
            Responsiveness.Case(initiative: a, school: nil, owner: olga, openedAt: hoursAgo(100), firstResponseAt: hoursAgo(40), open: false),
            Responsiveness.Case(initiative: b, school: nil, owner: nil, openedAt: hoursAgo(6), firstResponseAt: hoursAgo(1), open: false),
            // Open: 1 day old (not yet due), 3 days, 10 days, 40 days (all past the 48 h target).
            Responsiveness.Case(initiative: a, school: north, owner: olga, openedAt: hoursAgo(24), firstResponseAt: nil, open: true),
            Responsiveness.Case(initiative: a, school: nil, owner: nil, openedAt: hoursAgo(72), firstResponseAt: nil, open: true),
            Responsiveness.Case(initiative: b, school: nil, owner: nil, openedAt: hoursAgo(240), firstResponseAt: nil, open: true),
            Responsiveness.Case(initiative: b, school: nil, owner: nil, openedAt: hoursAgo(960), firstResponseAt: nil, open: true),
        ]
        let measure = Responsiveness.measure(cases, targetHours: 48, now: now)
        // Median of 5, 10, 30, 60 = (10 + 30) / 2 = 20; within 48 h: 3 (5, 10, 30) of 4 answered
        // + 3 overdue open (72 h, 240 h, 960 h) = 7 due → 0.429.
        #expect(measure.overall.cases == 8 && measure.overall.answered == 4)
        #expect(measure.overall.medianHoursToFirstResponse == 20)
        #expect(measure.overall.answeredWithinTarget == 3)
        #expect(measure.overall.withinTargetShare == 0.429)
        #expect(measure.overall.open == Responsiveness.OpenByAge(under2Days: 1, from2To7Days: 1, from7To30Days: 1, over30Days: 1))
        // Initiative a: 10, 30, 60 → median 30; within 2 of (3 + 1 overdue) = 0.5.
        let byA = try #require(measure.byInitiative.first { $0.key == "a" })
        #expect(byA.medianHoursToFirstResponse == 30 && byA.withinTargetShare == 0.5)
        // North: 10, 30 → 20; 2 of 2 due (the open one is a day old) = 1.
        let byNorth = try #require(measure.bySchool.first { $0.key == "N1" })
        #expect(byNorth.cases == 3 && byNorth.medianHoursToFirstResponse == 20 && byNorth.withinTargetShare == 1)
        // Olga: 10, 30, 60 and one open a day old → median 30, 2 of 3.
        let byOlga = try #require(measure.byOwner.first { $0.key == "1" })
        #expect(byOlga.cases == 4 && byOlga.medianHoursToFirstResponse == 30 && byOlga.withinTargetShare == 0.667)
    }

    @Test func responseTimeFromTheRecordsInTheScorecard() async throws {
        try await withWorld { w in
            let first = try await w.comment("The lunch line is long")
            let second = try await w.comment("Lunch starts too early")
            let skipped = try await w.comment("spam spam")
            // Opened 50 h and 20 h before their replies; the third needs no action.
            try await w.db.query(
                "UPDATE cases SET opened_at = now() - interval '60 hours', first_response_at = now() - interval '10 hours', status = 'answered' WHERE id = \(first)"
            )
            try await w.db.query(
                "UPDATE cases SET opened_at = now() - interval '30 hours', first_response_at = now() - interval '10 hours', status = 'answered' WHERE id = \(second)"
            )
            try await w.db.withTransaction {
                try await Cases().setStatus(skipped, .noAction, reason: "spam", scope: .everything, actor: w.admin, on: $0)
            }
            let card = try await w.db.withConnection { db in
                try await Scorecards().scorecard(
                    .init(initiativeID: w.initiative, from: Date().addingTimeInterval(-30 * 86_400), to: Date().addingTimeInterval(86_400)),
                    on: db
                )
            }
            let responsiveness = try #require(card.responsiveness)
            #expect(responsiveness.targetHours == 48)
            #expect(responsiveness.overall.cases == 2)
            #expect(responsiveness.overall.medianHoursToFirstResponse == 35)
            #expect(responsiveness.overall.withinTargetShare == 0.5)
            #expect(responsiveness.byOwner.first?.name == "Olga")
            let json = String(decoding: try Scorecard.encoder.encode(card), as: UTF8.self)
            #expect(json.contains("\"median_hours_to_first_response\" : 35"))
        }
    }
}
