import Engagement
import Foundation
import HTTPTypes
import Jobs
import Logging
import Postgres
import Testing

@Suite("Scoring pipeline: submission → job → score in the API (HTTP + PostgreSQL)")
struct ScoringPipelineTests {
    @Test func aSubmittedCommentIsScoredAndShownWithItsThemes() async throws {
        try await withAPI { api in
            let seed = try await api.seed()  // its initiative has theme keyword "wifi"
            let sent = try await api.call(
                .post,
                "/api/v1/feedback",
                json: ["initiative_id": seed.initiative, "comment": "The wifi at school is terrible!!"]
            )
            #expect(sent.status == .created)
            // The job was committed with the comment.
            #expect(try await api.database.query("SELECT count(*) FROM jobs WHERE kind = 'score-text'").first!.decode(Int.self, at: 0) == 1)
            let processor = JobProcessor(
                database: api.database,
                configuration: .init(pollInterval: .milliseconds(50)),
                handlers: try EngagementJobs.handlers(database: api.database),
                logger: .init(label: "test")
            )
            var score: [String: Any]?
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await processor.run() }
                for _ in 0..<200 where score == nil {
                    score = try await api.call(.get, "/api/v1/feedback", token: api.admin).items.first?["score"] as? [String: Any]
                    if score == nil { try await Task.sleep(for: .milliseconds(50)) }
                }
                // The score commits with the job's work; the job is marked completed just after:
                // the processor runs until then (cancelling it at once raced the completion).
                for _ in 0..<200 {
                    let done = try await api.database.query("SELECT count(*) FROM jobs WHERE kind = 'score-text' AND state = 'completed'")
                        .one().decode(Int.self, at: 0)
                    if done == 1 { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                group.cancelAll()
            }
            let found = try #require(score)
            #expect((found["compound"] as? Double ?? 0) < 0)
            #expect(found["language"] as? String == "en")
            #expect((found["themes"] as? [String] ?? []).contains(where: { $0.hasPrefix("tech-") }))
            #expect(try await api.call(.get, "/api/v1/feedback", token: api.admin).items.first?["scoring_state"] as? String == "scored")
            let stats = try await api.call(.get, "/api/v1/jobs/stats", token: api.admin)
            let counts = (stats.json["counts"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == TextScoring.kind }
            #expect(counts.count == 1 && counts.first?["state"] as? String == "completed")
            // Scoring throughput on /metrics: completed score-text jobs and their durations.
            let metrics = try await api.call(.get, "/metrics").text
            #expect(metrics.contains(#"chorus_jobs_finished_total{kind="score-text",outcome="completed"}"#))
            #expect(metrics.contains(#"chorus_job_duration_seconds_count{kind="score-text"}"#))
        }
    }
}
