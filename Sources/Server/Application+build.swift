import Hummingbird
import Logging
import Postgres
import ServiceLifecycle

/// The composition root: the executable and the tests build the application here.
///
/// `services` are long-lived parts (the pool, workers, an embedded cluster) run in the
/// application's `ServiceGroup`; they are shut down in reverse order, after the server stops.
public func buildApplication(
    configuration: ServerConfiguration,
    database: PostgresClient,
    services: [any Service] = [],
    logger: Logger
) -> some ApplicationProtocol {
    let router = buildRouter(database: database)
    return Application(
        router: router,
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "chorus"
        ),
        services: services + [database],
        logger: logger
    )
}

public func buildRouter(database: PostgresClient) -> Router<BasicRequestContext> {
    let router = Router()
    router.addMiddleware {
        LogRequestsMiddleware(.debug)
    }
    HealthController(database: database).addRoutes(to: router)
    return router
}
