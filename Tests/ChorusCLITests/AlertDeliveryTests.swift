import Engagement
import Foundation
import Postgres
import PostgresTesting
import Testing

/// Issue 17, A2: critical comments in English (misspelled), Spanish and Vietnamese are flagged
/// when they are submitted, and a running `chorus work` emails the district's alert contact
/// within 60 s through the loopback SMTP server; the alert carries a link, never the comment.
@Suite("Critical alerts reach the alert contact within a minute (processes + PostgreSQL + SMTP)", .serialized)
struct AlertDeliveryTests {
    static let comments = [
        ("en", "My son is being bulied at recess and nobody helps"),
        ("es", "Un chico trajo una pistola a la escuela ayer"),
        ("vi", "Có học sinh mang súng vào trường hôm qua"),
    ]

    @Test func criticalCommentsAreAlertedWithinAMinuteWithoutTheirText() async throws {
        let sink = try await SMTPSink.start()
        defer { sink.stop() }
        try await TestDatabase.withDatabase(migrated: true) { db, configuration in
            let initiative = try await db.withTransaction { tx in
                try await DistrictSettings.update(.init(languages: ["en", "es", "vi"]), actor: "test", on: tx)
                let initiative = try await ReferenceData().createInitiative(.init(slug: "safety", title: Translated(["en": "Safety"])), on: tx)
                let (contact, _) = try await StaffAccounts().create(
                    name: "Safety Officer",
                    email: "safety@district.example",
                    role: .admin,
                    by: .command("test"),
                    on: tx
                )
                try await Teams.alertContacts([contact.id], actor: .command("test"), on: tx)
                return initiative.id
            }
            let process = Process()
            process.executableURL = ChildProcess.chorus
            process.arguments = ["work", "--workers", "2"]
            var environment = ChildProcess.environment(databaseURL: try TestDatabase.url(database: configuration.database!), logLevel: "error")
            environment["CHORUS_SMTP_URL"] = sink.url
            environment["CHORUS_PUBLIC_URL"] = "https://chorus.district.example"
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            defer { process.terminate() }

            let started = ContinuousClock.now
            var cases: [Int64] = []
            for (language, text) in Self.comments + [("en", "The library wifi is slow in the afternoon")] {
                let receipt = try await db.withTransaction {
                    try await Submissions().submitFeedback(
                        .init(initiativeID: initiative, schoolID: nil, group: .families, language: language, comment: text, contact: nil),
                        on: $0
                    )
                }
                cases.append(
                    try await db.query("SELECT id FROM cases WHERE source = 'feedback' AND source_id = \(receipt.id)").one().decode(Int64.self, at: 0)
                )
            }
            let mails = try await sink.wait(for: Self.comments.count, within: .seconds(60))
            let elapsed = ContinuousClock.now - started
            #expect(mails.count == Self.comments.count, "\(mails.count) alerts arrived within 60 s")
            #expect(elapsed < .seconds(60))
            let flagged = try await db.query("SELECT id FROM cases WHERE critical ORDER BY id").map { try $0.decode(Int64.self, at: 0) }
            #expect(flagged == Array(cases.prefix(Self.comments.count)), "the three critical ones, not the wifi")
            for mail in mails {
                #expect(mail.recipients == ["safety@district.example"])
                for (_, text) in Self.comments {
                    for word in text.split(separator: " ") where word.count > 4 {
                        #expect(!mail.raw.contains(word) && !mail.text.contains(word) && !mail.html.contains(word), "\(word) in an alert")
                    }
                }
            }
            let links = Set(mails.compactMap { $0.link(startingWith: "https://chorus.district.example/console/cases/") })
            #expect(links == Set(cases.prefix(Self.comments.count).map { "https://chorus.district.example/console/cases/\($0)" }))
            // Let the worker finish its commits before the database is dropped.
            _ = try await waitUntil(.seconds(30)) {
                try await db.query("SELECT count(*) FROM outbox WHERE template = 'case_alert' AND state = 'sent'").one().decode(Int.self, at: 0) == 3
            }
            print("critical alerts: \(mails.count) delivered \(elapsed) after the comments were submitted")
        }
    }
}
