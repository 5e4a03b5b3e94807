import Engagement
import Foundation
import Postgres
import PostgresTesting
import Testing

/// Schema/0010 (issue 13, A1): a database with the EN/ES columns and single-language texts
/// migrates to texts per language, every text kept, and the repositories read them.
@Suite("Translations migration (integration)")
struct TranslationMigrationTests {
    @Test func everyEnglishAndSpanishTextIsThereAfterTheMigration() async throws {
        try await TestDatabase.withDatabase { db, _ in
            let current = try Migrator(directory: TestDatabase.schemaDirectory)
            try await Migrator(migrations: current.migrations.filter { $0.version <= 9 }).apply(on: db, logger: TestDatabase.logger)
            try await db.withTransaction { tx in
                try await tx.executeScript(
                    unsafeSQL: """
                        INSERT INTO district_goals (code, title, description) VALUES ('G1', 'Reading', '');
                        INSERT INTO initiatives (slug, title, description, goal_id) VALUES ('tech', 'Technology', 'Laptops for all', 1);
                        INSERT INTO surveys (initiative_id, title_en, title_es, opens_at) VALUES (1, 'Laptops', 'Portátiles', '2026-01-01');
                        INSERT INTO survey_questions (survey_id, position, kind, prompt_en, prompt_es, help_en, help_es, choices) VALUES
                            (1, 1, 'choice', 'Device?', '¿Equipo?', 'Pick one', 'Elija uno',
                             '[{"value": "laptop", "label_en": "Laptop", "label_es": "Portátil"}, {"value": "tablet", "label_en": "Tablet", "label_es": "Tableta"}]'),
                            (1, 2, 'text', 'Comments', 'Comentarios', NULL, NULL, '[]');
                        INSERT INTO volunteer_opportunities (initiative_id, title, description) VALUES (1, 'Garden day', '');
                        INSERT INTO events (title, kind, starts_at, ends_at) VALUES ('Family night', 'family_night', '2026-09-01 22:00Z', '2026-09-02 00:00Z');
                        INSERT INTO responses (survey_id, initiative_id, stakeholder_group, language, receipt) VALUES (1, 1, 'families', 'es', 'R1');
                        """
                )
            }
            let applied = try await current.apply(on: db, logger: TestDatabase.logger).map(\.version)
            #expect(applied.first == 10)

            let survey = try await db.withConnection { try await Surveys().survey(id: 1, on: $0) }
            #expect(survey.title == Translated(["en": "Laptops", "es": "Portátiles"]))
            #expect(
                survey.questions.map(\.prompt) == [
                    Translated(["en": "Device?", "es": "¿Equipo?"]), Translated(["en": "Comments", "es": "Comentarios"]),
                ]
            )
            #expect(survey.questions.map(\.help) == [Translated(["en": "Pick one", "es": "Elija uno"]), nil])
            #expect(
                survey.questions[0].choices == [
                    Choice(value: "laptop", label: Translated(["en": "Laptop", "es": "Portátil"])),
                    Choice(value: "tablet", label: Translated(["en": "Tablet", "es": "Tableta"])),
                ]
            )
            let initiative = try await db.withConnection { try await ReferenceData().initiative(id: 1, on: $0) }
            #expect(initiative.title == Translated(["en": "Technology"]) && initiative.description == Translated(["en": "Laptops for all"]))
            let goals = try await db.withConnection { try await ReferenceData().goals(on: $0) }
            #expect(goals.map(\.title) == [Translated(["en": "Reading"])] && goals.map(\.description) == [Translated()])
            let opportunity = try await db.withConnection { try await Volunteering().opportunities(initiativeID: 1, on: $0) }
            #expect(opportunity.map(\.title) == [Translated(["en": "Garden day"])])
            let event = try await db.withConnection { try await Events().event(id: 1, on: $0) }
            #expect(event.title == Translated(["en": "Family night"]))
            // The old columns are gone, and any language can now be stored.
            let columns = try await db.query(
                "SELECT count(*) FROM information_schema.columns WHERE column_name IN ('title_en', 'title_es', 'prompt_en', 'help_es')"
            ).one().decode(Int.self, at: 0)
            #expect(columns == 0)
            try await db.query(
                "INSERT INTO responses (survey_id, initiative_id, stakeholder_group, language, receipt) VALUES (1, 1, 'families', 'vi', 'R2')"
            )
            // Texts that are not objects of strings are refused by the database itself.
            await #expect(throws: PostgresError.self) { try await db.query("UPDATE surveys SET title = '[\"x\"]'") }
            await #expect(throws: PostgresError.self) { try await db.query("UPDATE surveys SET title = '{}'") }
        }
    }
}
