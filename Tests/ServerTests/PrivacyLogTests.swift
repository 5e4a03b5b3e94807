import Foundation
import HTTPTypes
import Logging
import NIOConcurrencyHelpers
import Testing

/// Keeps every log line (message and metadata) written through it.
final class CapturedLogs: Sendable {
    let lines = NIOLockedValueBox<[String]>([])

    var logger: Logger {
        var logger = Logger(label: "captured") { _ in Handler(logs: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            logs.lines.withLockedValue { $0.append("\(event.level) \(event.message) \(merged)") }
        }
    }
}

@Suite("No personal data in logs")
struct PrivacyLogTests {
    @Test func submissionsWithContactDetailsLogNoneOfThem() async throws {
        let logs = CapturedLogs()
        let secrets = ["rosa.mendez@example.org", "5550199", "Rosa Mendez", "tomas.ibarra@example.org", "Tomás Ibarra"]
        try await withAPI(logger: logs.logger) { api in
            let seed = try await api.seed()
            try await api.call(
                .post,
                "/api/v1/feedback",
                json: [
                    "initiative_id": seed.initiative, "comment": "ok",
                    "contact": ["name": "Rosa Mendez", "email": "rosa.mendez@example.org", "phone": "555-0199", "consent": true],
                ]
            )
            try await api.call(
                .post,
                "/api/v1/surveys/\(seed.survey)/responses",
                json: [
                    "group": "families", "answers": [["question_id": seed.questions[0], "number": 5]],
                    "contact": ["name": "Tomás Ibarra", "email": "tomas.ibarra@example.org", "consent": true],
                ]
            )
            // A failing submission (bad email) must not log it either.
            try await api.call(
                .post,
                "/api/v1/feedback",
                json: ["initiative_id": seed.initiative, "comment": "ok", "contact": ["email": "rosa.mendez@example.org x", "consent": true]]
            )
            #expect(try await api.count("participant_contacts") == 2)
        }
        let lines = logs.lines.withLockedValue { $0 }
        #expect(!lines.isEmpty, "the capture saw no log lines, so it proves nothing")
        for secret in secrets {
            #expect(!lines.contains(where: { $0.contains(secret) }), "\(secret) appears in the logs")
        }
    }
}
