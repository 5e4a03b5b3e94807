import Engagement
import Foundation
import Jobs
import Postgres
import PostgresTesting
import Testing

/// The district's clock (issue 13, A4): in New York, a response at 23:30 on a Sunday counts on
/// that Sunday and in the week that ends with it, in the records and the rollups alike, in the
/// weeks the clocks change too; a change of zone rebuilds the rollups in a job.
@Suite("The district's clock (integration)")
struct DistrictClockTests {
    static let newYork = DistrictClock(timeZone: TimeZone(identifier: "America/New_York")!)

    /// Sunday evenings at 23:30 New York time: an ordinary week, the week summer time ends
    /// (Nov 1, 2026, 25 hours that Sunday) and the week it starts (Mar 8, 2026, 23 hours).
    static let evenings = [
        ("2026-11-08 23:30", "2026-11-08", "2026-11-02"),
        ("2026-11-01 23:30", "2026-11-01", "2026-10-26"),
        ("2026-03-08 23:30", "2026-03-08", "2026-03-02"),
    ]

    static func setUp(_ db: PostgresClient) async throws {
        try await db.withTransaction { tx in
            try await tx.executeScript(
                unsafeSQL: """
                    INSERT INTO schools (code, name, cluster, level, enrollment) VALUES ('A', 'A', 'North', 'high', 100);
                    INSERT INTO initiatives (slug, title) VALUES ('tech', '{"en": "Technology"}');
                    INSERT INTO surveys (initiative_id, title, opens_at) VALUES (1, '{"en": "S"}', '2026-01-01');
                    """
            )
            for (index, evening) in evenings.enumerated() {
                // The local time, read as New York's by PostgreSQL: 03:30 or 04:30 UTC the next day.
                try await tx.query(
                    """
                    INSERT INTO responses (survey_id, initiative_id, school_id, stakeholder_group, language, receipt, submitted_at)
                    VALUES (1, 1, 1, 'families', 'en', \("R\(index)"), \(evening.0)::timestamp AT TIME ZONE 'America/New_York')
                    """
                )
            }
        }
        try await Rollups(database: db).refreshPending()
    }

    @Test func aLateResponseCountsOnItsLocalDayAndWeekInRecordsAndRollups() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            try await Self.setUp(db)
            let days = try await db.query("SELECT day::text FROM rollup_daily WHERE initiative_id = 0 ORDER BY day").map {
                try $0.decode(String.self, at: 0)
            }
            #expect(days == Self.evenings.map(\.1).sorted())
            for (evening, _, monday) in Self.evenings {
                let instant =
                    try await db.query("SELECT \(evening)::timestamp AT TIME ZONE 'America/New_York'").one().decode(Date.self, at: 0)
                let week = try ScorecardQuery.period(named: "week", now: instant, clock: Self.newYork)
                #expect(Self.newYork.day(of: week.from) == monday && Self.newYork.isMidnight(week.from) && Self.newYork.isMidnight(week.to))
                let query = ScorecardQuery(initiativeID: 1, from: week.from, to: week.to, clock: Self.newYork)
                #expect(Scorecards(source: .rollups).usesRollups(query), "a local week is answered by the rollups")
                for source in [Scorecards.Source.rollups, .records] {
                    let card = try await db.withConnection { try await Scorecards(source: source).scorecard(query, on: $0) }
                    #expect(card.voice.responses == 1, "\(source) \(evening)")
                    #expect(card.weekly.map(\.weekStart) == [monday] && card.weekly.first?.responses == 1, "\(source) \(evening)")
                }
            }
            // The day after (Monday) has none of them.
            let monday = try await db.query("SELECT '2026-11-09'::timestamp AT TIME ZONE 'America/New_York'").one().decode(Date.self, at: 0)
            let next = ScorecardQuery(initiativeID: 1, from: monday, to: monday.addingTimeInterval(86_400), clock: Self.newYork)
            for source in [Scorecards.Source.rollups, .records] {
                #expect(try await db.withConnection { try await Scorecards(source: source).scorecard(next, on: $0) }.voice.responses == 0)
            }
        }
    }

    @Test func aNewTimeZoneRebuildsTheRollupsInAJob() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            try await Self.setUp(db)
            try await db.withTransaction { try await DistrictSettings.update(.init(timeZone: "UTC"), actor: "test", on: $0) }
            let jobs = try await db.query("SELECT count(*) FROM jobs WHERE kind = \(RollupRebuild.kind) AND state = 'available'")
            #expect(try jobs.one().decode(Int.self, at: 0) == 1)
            // Until the job has run, the rollups keep the New York days (never a mix of both).
            let before = try await db.query("SELECT day::text FROM rollup_daily WHERE initiative_id = 0 ORDER BY day").map {
                try $0.decode(String.self, at: 0)
            }
            #expect(before == Self.evenings.map(\.1).sorted())
            let claimed = try await JobQueue().claim(limit: 1, worker: "test", lease: .seconds(30), on: db)
            #expect(claimed.map(\.kind) == [RollupRebuild.kind])
            try await RollupRebuild(database: db).handler(try #require(claimed.first))
            let after = try await db.query("SELECT day::text FROM rollup_daily WHERE initiative_id = 0 ORDER BY day").map {
                try $0.decode(String.self, at: 0)
            }
            #expect(after == ["2026-03-09", "2026-11-02", "2026-11-09"])
            // A change that keeps the clock (the name) pushes no job.
            try await db.query("DELETE FROM jobs")
            try await db.withTransaction { try await DistrictSettings.update(.init(name: "Springfield"), actor: "test", on: $0) }
            #expect(try await db.query("SELECT count(*) FROM jobs").one().decode(Int.self, at: 0) == 0)
        }
    }

    @Test func theSchoolYearStartsOnTheDistrictsDay() async throws {
        var clock = Self.newYork
        clock.schoolYearStart = .init(month: 7, day: 15)
        let midJuly = try #require(clock.calendar.date(from: DateComponents(year: 2026, month: 7, day: 15, hour: 0, minute: 30)))
        let year = clock.schoolYear(containing: midJuly)
        #expect(clock.day(of: year.from) == "2026-07-15" && clock.day(of: year.to) == "2027-07-15" && clock.isMidnight(year.from))
        let before = try #require(clock.calendar.date(byAdding: .hour, value: -1, to: midJuly))
        #expect(clock.day(of: clock.schoolYear(containing: before).from) == "2025-07-15")
    }
}
