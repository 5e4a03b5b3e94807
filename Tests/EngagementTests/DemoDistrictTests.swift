import Engagement
import Postgres
import PostgresTesting
import Testing

@Suite("Demo district (integration)")
struct DemoDistrictTests {
    func fingerprint(seed: Int) async throws -> [String] {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let summary = try await DemoDistrict(seed: seed).load(on: db)
            let comments = try await db.query("SELECT comment, school_id::text FROM feedback ORDER BY id LIMIT 20").map {
                try $0.decode(String.self, at: 0) + "@" + $0.decode(String.self, at: 1)
            }
            return [summary.description] + comments
        }
    }

    @Test func sameSeedSameDistrict() async throws {
        let first = try await fingerprint(seed: 7)
        #expect(first[0].contains("90 schools") && first[0].contains("3000 responses") && first[0].contains("8 initiatives"))
        #expect(try await fingerprint(seed: 7) == first)
        #expect(try await fingerprint(seed: 8) != first)
    }

    @Test func commentsInEveryDemoLanguage() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            _ = try await DemoDistrict().load(on: db)
            let languages = try await db.query("SELECT language, count(*) FROM feedback GROUP BY language ORDER BY language").map {
                try $0.decode((String, Int).self)
            }
            #expect(languages.map(\.0) == ["en", "es", "fr", "vi"])
            #expect(languages.allSatisfy { $0.1 > ($0.0 == "en" || $0.0 == "es" ? 300 : 30) })
            #expect(try await !DemoDistrict().isEmpty(on: db))
        }
    }
}
