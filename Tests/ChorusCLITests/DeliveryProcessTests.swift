import Engagement
import Foundation
import Postgres
import PostgresTesting
import Testing

/// Issue 16, A2: a `chorus work` process killed (SIGKILL) while it delivers; another finishes.
/// Every message reaches the loopback SMTP server under its one Message-ID; a message the
/// server had accepted from the killed worker before its commit is sent again under the same
/// id (SMTP cannot say otherwise), at most one per message in flight at the kill.
@Suite("Delivery survives a killed worker (processes + PostgreSQL + SMTP)", .serialized)
struct DeliveryProcessTests {
    static let volunteers = 150
    static let workers = 4

    @Test func everyMessageArrivesUnderOneMessageIDWhenAWorkerIsKilled() async throws {
        let sink = try await SMTPSink.start(delayMilliseconds: 20)
        defer { sink.stop() }
        try await TestDatabase.withDatabase(migrated: true) { db, configuration in
            try await db.withTransaction { tx in
                let initiative = try await ReferenceData().createInitiative(.init(slug: "mail", title: Translated(["en": "Mail"])), on: tx)
                let starts = Date().addingTimeInterval(10 * 86_400)
                let opportunity = try await Volunteering().createOpportunity(
                    .init(
                        initiativeID: initiative.id,
                        title: Translated(["en": "Reading buddies"]),
                        description: Translated(),
                        schoolID: nil,
                        shifts: [.init(startsAt: starts, endsAt: starts.addingTimeInterval(3600), capacity: Self.volunteers)]
                    ),
                    on: tx
                )
                for n in 0..<Self.volunteers {
                    _ = try await Volunteering().signUp(
                        shiftID: opportunity.shifts[0].id,
                        group: .families,
                        contact: .init(email: "volunteer\(n)@example.org", consent: true),
                        on: tx
                    )
                }
            }
            func start() throws -> Process {
                let process = Process()
                process.executableURL = ChildProcess.chorus
                process.arguments = ["work", "--workers", "\(Self.workers)", "--lease", "2", "--maintenance-interval", "1"]
                var environment = ChildProcess.environment(databaseURL: try TestDatabase.url(database: configuration.database!), logLevel: "error")
                environment["CHORUS_SMTP_URL"] = sink.url
                environment["CHORUS_PUBLIC_URL"] = "https://chorus.district.example"
                process.environment = environment
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                return process
            }
            let first = try start()
            _ = try await sink.wait(for: Self.volunteers / 3, within: .seconds(120))
            kill(first.processIdentifier, SIGKILL)
            await first.exited()
            let receivedAtKill = try sink.received().count
            #expect(receivedAtKill < Self.volunteers, "the worker finished before it was killed")
            let second = try start()
            let finished = try await waitUntil(.seconds(180)) {
                try await db.query("SELECT count(*) FROM outbox WHERE state = 'sent'").one().decode(Int.self, at: 0) == Self.volunteers
            }
            second.terminate()
            await second.exited()
            #expect(finished)
            let mails = try sink.received()
            let ids = mails.compactMap { $0.headers["message-id"] }
            let expected = try await db.query("SELECT id FROM outbox").map {
                "<chorus-message-\(try $0.decode(Int64.self, at: 0))@chorus.district.example>"
            }
            let missing = Set(expected).subtracting(ids)
            #expect(missing.isEmpty, "\(missing.count) never arrived")
            #expect(Set(ids).isSubset(of: Set(expected)))
            #expect(ids.count - Set(ids).count <= Self.workers, "\(ids.count - Set(ids).count) resent")
            let jobs = try await db.query(
                "SELECT count(*) FILTER (WHERE state = 'completed'), count(*) FROM jobs WHERE kind = 'deliver_message'"
            ).one().decode((Int, Int).self)
            #expect(jobs == (Self.volunteers, Self.volunteers))
            print("delivery under SIGKILL: \(mails.count) received for \(Self.volunteers) messages (\(receivedAtKill) before the kill)")
        }
    }
}
