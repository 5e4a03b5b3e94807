import Foundation
import HTTPTypes
import Testing

@Suite("GET /metrics (HTTP + PostgreSQL)")
struct MetricsTests {
    @Test func requestsJobsAndPoolsAreExposedForPrometheus() async throws {
        try await withAPI { api in
            let seed = try await api.seed()
            #expect(
                try await api.call(.post, "/api/v1/feedback", json: ["initiative_id": seed.initiative, "comment": "Great wifi"]).status == .created
            )
            #expect(try await api.call(.post, "/api/v1/feedback", json: ["initiative_id": seed.initiative]).status == .unprocessableContent)
            // The registry is the process's, and other tests' servers scrape it too, each
            // setting the queue gauges from its own database: read until no other scrape
            // interleaved (one server per process in production).
            var reply = try await api.call(.get, "/metrics")
            for _ in 0..<5 where !reply.text.contains(#"chorus_jobs{kind="score-text",state="available"} 1"#) {
                reply = try await api.call(.get, "/metrics")
            }
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let lines = reply.text.split(separator: "\n").map(String.init)
            func has(_ prefix: String, _ parts: String...) -> Bool {
                lines.contains { line in line.hasPrefix(prefix) && parts.allSatisfy { line.contains($0) } }
            }
            // Requests by route and status, the refused one included, with latency histograms.
            #expect(has("hb_requests{", #"http_route="/api/v1/feedback""#, #"http_response_status_code="201""#))
            #expect(has("hb_requests{", #"http_route="/api/v1/feedback""#, #"http_response_status_code="422""#))
            #expect(has("http_server_request_duration_bucket{", #"http_route="/api/v1/feedback""#, #"le=""#))
            // The pool and the queue, read at scrape time: the comment's scoring job waits.
            #expect(has(#"chorus_pool_connections_open{pool="primary"}"#))
            #expect(has(#"chorus_pool_waiting{pool="primary"} 0"#))
            #expect(has("chorus_jobs{", #"kind="score-text""#, #"state="available""#, " 1"))
            #expect(has("chorus_job_lag_seconds "))
            // The comment marked its day for the rollups; no drainer runs in this test.
            #expect(has("chorus_rollup_days_pending 1"))
            // Restarts: a new start time each process, and the supervisor's count (none here).
            let started = lines.first { $0.hasPrefix("process_start_time_seconds ") }.flatMap { Double($0.split(separator: " ")[1]) }
            #expect(started.map { abs($0 - Date().timeIntervalSince1970) < 3600 } == true)
            #expect(has("chorus_restarts 0"))
            // No personal data or comment text in any label.
            #expect(!reply.text.contains("Great wifi"))
        }
    }
}
