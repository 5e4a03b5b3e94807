import Engagement
import Foundation
import Hummingbird
import Metrics
import Prometheus

/// `GET /metrics` in Prometheus text format: HTTP requests and latency by route and status
/// (Hummingbird's MetricsMiddleware), jobs run by kind and outcome with their durations (the job
/// processor), and, read at scrape time, the pools and the queue (jobs by state, the age of the
/// oldest runnable job). No personal data is ever a label.
struct MetricsController: Sendable {
    let database: Store
    let readDatabase: Store?
    let scorecardCache: ScorecardCache?
    let principalCache: PrincipalCache?
    var restarts = 0

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/metrics") { _, _ in
            try await self.sample()
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: ChorusMetrics.registry.emitToBuffer())))
        }
    }

    private func gauge(_ name: String, _ help: String, _ labels: [(String, String)]) -> Prometheus.Gauge {
        ChorusMetrics.registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }

    private func sample() async throws {
        // A restart shows as a new start time (Prometheus: changes(process_start_time_seconds[1d])).
        gauge("process_start_time_seconds", "Start time of the process since the Unix epoch in seconds.", []).set(ChorusMetrics.started)
        gauge("chorus_restarts", "Times the supervisor restarted the server before this process (Deploy/run).", []).set(Double(restarts))
        if let scorecardCache {
            let (listening, entries) = scorecardCache.statistics
            gauge("chorus_scorecard_cache_listening", "1 while the scorecard cache hears change notifications.", []).set(listening ? 1.0 : 0.0)
            gauge("chorus_scorecard_cache_entries", "Scorecards kept in memory.", []).set(Double(entries))
        }
        if let principalCache {
            gauge("chorus_token_cache_entries", "Bearer tokens' principals kept in memory.", []).set(Double(principalCache.statistics.entries))
        }
        for (name, pool) in [("primary", database), ("read", readDatabase)] {
            guard let pool else { continue }
            let stats = pool.pool
            gauge("chorus_pool_connections_open", "Connections the pool holds open.", [("pool", name)]).set(Double(stats.open))
            gauge("chorus_pool_connections_in_use", "Connections lent out.", [("pool", name)]).set(Double(stats.open - stats.idle))
            gauge("chorus_pool_waiting", "Requests waiting for a connection.", [("pool", name)]).set(Double(stats.waiting))
        }
        // The queue: every state of every kind seen, zeros included, so a drained state drops to 0.
        let queue = try await database.queues()
        let counts = Dictionary(queue.counts.map { ("\($0.kind) \($0.state)", $0.count) }, uniquingKeysWith: +)
        for kind in Set(queue.counts.map(\.kind)) {
            for state in Store.QueueFigures.states {
                gauge("chorus_jobs", "Jobs in the queue by kind and state.", [("kind", kind), ("state", state)])
                    .set(Double(counts["\(kind) \(state)"] ?? 0))
            }
        }
        let lag = queue.oldestWaitingSeconds ?? 0
        gauge("chorus_job_lag_seconds", "Age of the oldest job that may run.", []).set(lag)
        gauge("chorus_rollup_days_pending", "Days marked for a rollup recomputation and not yet recomputed.", [])
            .set(Double(try await database.rollupDaysPending()))
    }
}

/// The process's one registry, made the swift-metrics backend the first time a server is built
/// (tests build many servers in one process; swift-metrics may be bootstrapped once).
enum ChorusMetrics {
    /// When this process first built a server: the process start, for `process_start_time_seconds`.
    static let started = Date().timeIntervalSince1970
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // Hummingbird's names ("http.server.request.duration", label "http.route") in the
        // characters Prometheus allows.
        factory.nameAndLabelSanitizer = { name, labels in
            (sanitized(name), labels.map { (sanitized($0.0), $0.1) })
        }
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
        ]
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    static func sanitized(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") ? $0 : "_" })
    }
}
