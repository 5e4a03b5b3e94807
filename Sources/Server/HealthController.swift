import Engagement
import Hummingbird

/// `/health`: the process answers. `/ready`: it can also reach PostgreSQL, so a load balancer
/// should send it traffic.
struct HealthController: Sendable {
    let database: Store

    struct Status: ResponseEncodable {
        let status: String
    }

    func addRoutes(to router: Router<some RequestContext>) {
        router.get("/health") { _, _ in Status(status: "ok") }
        router.get("/ready") { _, _ in
            do {
                try await database.ping()
                return EditedResponse(status: .ok, response: Status(status: "ready"))
            } catch {
                return EditedResponse(status: .serviceUnavailable, response: Status(status: "database unavailable"))
            }
        }
    }
}
