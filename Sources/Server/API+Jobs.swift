import Engagement
import OpenAPIRuntime

extension API {
    func getJobStats(_ input: Operations.GetJobStats.Input) async throws -> Operations.GetJobStats.Output {
        let stats = try await database.queues()
        return .ok(
            .init(
                body: .json(
                    .init(
                        counts: stats.counts.map { .init(kind: $0.kind, state: .init(rawValue: $0.state) ?? .available, count: $0.count) },
                        oldestWaitingSeconds: stats.oldestWaitingSeconds,
                        recentFailures: stats.recentFailures.map {
                            .init(id: $0.id, kind: $0.kind, state: $0.state, attempt: $0.attempt, error: $0.error, at: $0.at)
                        }
                    )
                )
            )
        )
    }
}
