import Engagement
import Foundation
import Postgres
import PostgresTesting
import Testing

@Suite("CSV sign-in sheets (integration)")
struct SignInSheetTests {
    func event(_ db: PostgresClient) async throws -> Int64 {
        try await db.withTransaction { tx in
            let initiative = try await ReferenceData().createInitiative(
                .init(slug: "csv-\(UUID().uuidString.prefix(4).lowercased())", title: Translated(["en": "CSV"])),
                on: tx
            )
            return try await Events().create(
                .init(
                    title: Translated(["en": "Open house"]),
                    kind: "community",
                    initiativeIDs: [initiative.id],
                    schoolID: nil,
                    location: "Gym",
                    startsAt: Date(timeIntervalSince1970: 1_790_000_000),
                    endsAt: Date(timeIntervalSince1970: 1_790_003_600),
                    capacity: nil
                ),
                recordedBy: nil,
                on: tx
            ).id
        }
    }

    func sheet(_ text: String) throws -> SignInSheet {
        try SignInSheet(stream: InputStream(data: Data(text.utf8)))
    }

    @Test func hundredThousandRowsImportInOneTransaction() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let eventID = try await event(db)
            var text = "Stakeholder Group,Count,Name,E-mail,Consent\n"
            for index in 0..<100_000 {
                switch index % 4 {
                case 0: text += "families,,,,\n"
                case 1: text += "Students,,,,\n"
                case 2: text += "teachers,3,,,\n"
                default: text += index % 1000 == 3 ? "families,,Person \(index),p\(index)@example.org,yes\n" : "community,,,,\n"
                }
            }
            var reports: [Int] = []
            let parsed = try SignInSheet(stream: InputStream(data: Data(text.utf8))) { reports.append($0) }
            #expect(parsed.rows.count == 100_000)
            let imported = try await db.withTransaction { tx in try await parsed.importAttendance(eventID: eventID, on: tx) { reports.append($0) } }
            #expect(imported == 100_000)
            #expect(!reports.isEmpty)
            let row = try #require(try await db.query("SELECT count(*), sum(count) FROM attendance WHERE event_id = \(eventID)").first)
            #expect(try row.decode(Int.self, at: 0) == 100_000)
            #expect(try row.decode(Int.self, at: 1) == 25_000 * 3 + 75_000)
            #expect(try await db.query("SELECT count(*) FROM participant_contacts").first!.decode(Int.self, at: 0) == 100)
        }
    }

    @Test func badRowsImportNothingAndAreListedByLine() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            _ = try await event(db)
            let text = """
                group,count,email,consent
                families,,,
                aliens,,,
                students,-4,,
                families,,not-an-email,yes
                teachers,2,t@example.org,yes
                families,,,
                """
            let error = try #require(throws: SignInSheet.Rejected.self) { try sheet(text) }
            #expect(error.errors.map(\.line) == [3, 4, 5, 6])
            #expect(error.description.contains("line 3: unknown group \"aliens\""))
            #expect(try await db.query("SELECT count(*) FROM attendance").first!.decode(Int.self, at: 0) == 0)
            #expect(throws: SignInSheet.Rejected.self) { try sheet("name,email\nAna,a@x.org\n") }
            #expect(throws: SignInSheet.Rejected.self) { try sheet("group\n") }
        }
    }

    @Test func contactsWithoutConsentAreDropped() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let eventID = try await event(db)
            let parsed = try sheet("group,name,email,consent\nfamilies,Ana,ana@x.org,no\nfamilies,Luis,luis@x.org,sí\n")
            #expect(parsed.rows.map { $0.contact == nil } == [true, false])
            _ = try await db.withTransaction { try await parsed.importAttendance(eventID: eventID, on: $0) }
            #expect(try await db.query("SELECT count(*) FROM participant_contacts").first!.decode(Int.self, at: 0) == 1)
        }
    }

    @Test func signupsRespectCapacityAndFailWholly() async throws {
        try await TestDatabase.withDatabase(migrated: true) { db, _ in
            let shiftID = try await db.withTransaction { tx in
                let initiative = try await ReferenceData().createInitiative(.init(slug: "vol", title: Translated(["en": "Volunteers"])), on: tx)
                let opportunity = try await Volunteering().createOpportunity(
                    .init(
                        initiativeID: initiative.id,
                        title: Translated(["en": "Garden"]),
                        description: Translated(),
                        schoolID: nil,
                        shifts: [
                            .init(
                                startsAt: Date(timeIntervalSince1970: 1_990_000_000),
                                endsAt: Date(timeIntervalSince1970: 1_990_003_600),
                                capacity: 2,
                                waitlist: false
                            )
                        ]
                    ),
                    on: tx
                )
                return opportunity.shifts[0].id
            }
            let three = try sheet("group,email,consent\nfamilies,a@x.org,yes\nfamilies,b@x.org,yes\nfamilies,c@x.org,yes\n")
            let error = await #expect(throws: SignInSheet.Rejected.self) {
                try await db.withTransaction { try await three.importSignups(shiftID: shiftID, on: $0) }
            }
            #expect(error?.errors.first?.line == 4)
            #expect(try await db.query("SELECT count(*) FROM signups").first!.decode(Int.self, at: 0) == 0)
            let two = try sheet("group,email,consent\nfamilies,a@x.org,yes\nstudents,b@x.org,yes\n")
            #expect(try await db.withTransaction { try await two.importSignups(shiftID: shiftID, on: $0) } == 2)
        }
    }
}
