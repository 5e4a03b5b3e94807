import Engagement
import Postgres
import PostgresTesting
import Testing

@Suite("District settings (integration)")
struct DistrictSettingsTests {
    @Test func defaultsThenAChangeKeptWithWhoMadeIt() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let defaults = try await db.withConnection { try await DistrictSettings.current(on: $0) }
            #expect(defaults.timeZone == "America/New_York" && defaults.languages == ["en", "es"] && defaults.defaultLanguage == "en")
            #expect(defaults.schoolYearStart == .init(month: 8, day: 1))
            let changed = try await db.withTransaction {
                try await DistrictSettings.update(
                    .init(name: " Atlanta Public Schools ", timeZone: "America/Chicago", languages: ["EN", "es", "vi", "zh-hans", "ar", "fr"]),
                    actor: "test:ana",
                    on: $0
                )
            }
            #expect(changed.name == "Atlanta Public Schools")
            #expect(changed.languages == ["en", "es", "vi", "zh-Hans", "ar", "fr"])
            #expect(try await db.withConnection { try await DistrictSettings.current(on: $0) } == changed)
            let history = try await db.query("SELECT changed_by, previous ->> 'time_zone', current ->> 'time_zone' FROM district_settings_history")
                .one()
            #expect(try history.decode((String, String, String).self) == ("test:ana", "America/New_York", "America/Chicago"))
            // Dropping the default language moves the default to the first one left.
            let moved = try await db.withTransaction {
                try await DistrictSettings.update(.init(languages: ["es", "vi"]), actor: "test:ana", on: $0)
            }
            #expect(moved.defaultLanguage == "es")
            // The same values again change nothing and add no history.
            _ = try await db.withTransaction { try await DistrictSettings.update(.init(languages: ["es", "vi"]), actor: "test:ana", on: $0) }
            #expect(try await db.query("SELECT count(*) FROM district_settings_history").one().decode(Int.self, at: 0) == 2)
        }
    }

    @Test func badValuesNameTheirFieldsAndChangeNothing() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let before = try await db.withConnection { try await DistrictSettings.current(on: $0) }
            let error = try await #require(throws: EngagementError.self) {
                try await db.withTransaction {
                    try await DistrictSettings.update(
                        .init(
                            name: "",
                            timeZone: "Mars/Olympus_Mons",
                            languages: ["en", "english!", "en"],
                            defaultLanguage: "fr",
                            schoolYearStart: .init(month: 13, day: 1)
                        ),
                        actor: "test",
                        on: $0
                    )
                }
            }
            #expect(
                Set(error.fields.map(\.field)) == ["name", "time_zone", "languages", "languages[1]", "default_language", "school_year_start"]
            )
            for zone in ["", "UTC\u{0}", "../../etc/passwd", String(repeating: "A", count: 500)] {
                await #expect(throws: EngagementError.self) {
                    try await db.withTransaction { try await DistrictSettings.update(.init(timeZone: zone), actor: "test", on: $0) }
                }
            }
            #expect(try await db.withConnection { try await DistrictSettings.current(on: $0) } == before)
            #expect(try await db.query("SELECT count(*) FROM district_settings_history").one().decode(Int.self, at: 0) == 0)
        }
    }
}
