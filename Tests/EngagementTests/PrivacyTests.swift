import Engagement
import Foundation
import Postgres
import PostgresTesting
import Testing

@Suite("Privacy: export, erase, retention (integration)")
struct PrivacyTests {
    /// Ana gives her email on a comment and a sign-up; Luis on a comment.
    func build(_ db: PostgresClient) async throws {
        try await db.withTransaction { tx in
            let initiative = try await ReferenceData().createInitiative(.init(slug: "p", title: Translated(["en": "Privacy"])), on: tx)
            let submissions = Submissions()
            _ = try await submissions.submitFeedback(
                .init(
                    initiativeID: initiative.id,
                    schoolID: nil,
                    group: .families,
                    language: "en",
                    comment: "Call me about the bus",
                    contact: .init(name: "Ana Ruiz", email: "Ana.Ruiz@example.org", phone: nil, consent: true)
                ),
                on: tx
            )
            _ = try await submissions.submitFeedback(
                .init(
                    initiativeID: initiative.id,
                    schoolID: nil,
                    group: .families,
                    language: "en",
                    comment: "Thanks",
                    contact: .init(name: "Luis", email: "luis@example.org", phone: nil, consent: true)
                ),
                on: tx
            )
            let opportunity = try await Volunteering().createOpportunity(
                .init(
                    initiativeID: initiative.id,
                    title: Translated(["en": "Garden"]),
                    description: Translated(),
                    schoolID: nil,
                    shifts: [
                        .init(startsAt: Date(timeIntervalSince1970: 1_990_000_000), endsAt: Date(timeIntervalSince1970: 1_990_003_600), capacity: 5)
                    ]
                ),
                on: tx
            )
            _ = try await Volunteering().signUp(
                shiftID: opportunity.shifts[0].id,
                group: .families,
                contact: .init(email: "ana.ruiz@example.org", consent: true),
                on: tx
            )
        }
    }

    @Test func exportFindsEverythingLinkedAndIsLogged() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            try await build(db)
            let export = try await db.withTransaction { try await Privacy().export(contact: " ANA.RUIZ@example.org ", actor: "test", on: $0) }
            #expect(export.contact["email"] == "ana.ruiz@example.org" || export.contact["email"] == "Ana.Ruiz@example.org")
            #expect(export.feedback.map { $0["comment"] } == ["Call me about the bus"])
            #expect(export.signups.count == 1)
            #expect(try await db.query("SELECT count(*) FROM pii_access_log WHERE action = 'export'").first!.decode(Int.self, at: 0) == 1)
            await #expect(throws: EngagementError.self) {
                _ = try await db.withTransaction { try await Privacy().export(contact: "nobody@example.org", actor: "test", on: $0) }
            }
        }
    }

    @Test func eraseRemovesPersonalDataAndKeepsAnonymousRecords() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            try await build(db)
            let erasure = try await db.withTransaction { try await Privacy().erase(contact: "ana.ruiz@example.org", actor: "test", on: $0) }
            #expect(erasure.unlinkedRecords == 2)
            #expect(try await db.query("SELECT count(*) FROM participant_contacts WHERE email ILIKE 'ana%'").first!.decode(Int.self, at: 0) == 0)
            #expect(try await db.query("SELECT count(*) FROM participants").first!.decode(Int.self, at: 0) == 1)  // Luis stays
            // The records remain, anonymous: aggregates do not change.
            #expect(try await db.query("SELECT count(*) FROM feedback").first!.decode(Int.self, at: 0) == 2)
            #expect(try await db.query("SELECT count(*) FROM signups WHERE participant_id IS NULL").first!.decode(Int.self, at: 0) == 1)
            #expect(try await db.query("SELECT count(*) FROM pii_access_log WHERE action = 'erase'").first!.decode(Int.self, at: 0) == 1)
            let gone = try await db.withConnection { try await Privacy().participant(contact: "ana.ruiz@example.org", on: $0) }
            #expect(gone == nil)
        }
    }

    @Test func retentionPurgesOnlyExpiredContacts() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            try await build(db)
            try await db.query("UPDATE participant_contacts SET retain_until = current_date - 1 WHERE email = 'luis@example.org'")
            #expect(try await Privacy().purgeExpired(on: db) == 1)
            let left = try await db.query("SELECT email FROM participant_contacts").map { try $0.decode(String.self, at: 0) }
            #expect(left.count == 1 && left[0].lowercased().hasPrefix("ana"))
            #expect(try await Privacy().purgeExpired(on: db) == 0)
        }
    }
}
