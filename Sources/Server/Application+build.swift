import Engagement
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceLifecycle

/// The composition root: the executable and the tests build the application here.
///
/// `services` are the long-lived parts the server needs (embedded cluster, the pool, job
/// workers), in start order; the application's `ServiceGroup` runs them and shuts them down in
/// reverse order after the server stops, so workers finish before the pool closes and the pool
/// before the cluster stops. Tests may pass none and manage the pool themselves.
public func buildApplication(
    configuration: ServerConfiguration,
    database: Store,
    readDatabase: Store? = nil,
    services: [any Service] = [],
    logger: Logger
) throws -> some ApplicationProtocol {
    let cache = ScorecardCache()
    let principals = PrincipalCache.forTokens()
    let router = try buildRouter(
        configuration: configuration,
        database: database,
        readDatabase: readDatabase,
        scorecardCache: cache,
        principalCache: principals
    )
    let requestTimeout = TimeAmount(configuration.requestTimeout)
    return Application(
        router: router,
        server: .http1(
            configuration: HTTP1Channel.Configuration(
                additionalChannelHandlers: [RequestDeadlineHandler(limit: requestTimeout)],
                idleTimeout: TimeAmount(configuration.idleTimeout),
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: configuration.maximumHeaderBytes,
                    maxHeaderListSize: configuration.maximumHeaderBytes,
                    maxHeaderFieldCount: configuration.maximumHeaderFields
                )
            )
        ),
        configuration: ApplicationConfiguration(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "chorus"
        ),
        // The caches' listener needs the pool: it starts after the given services, stops first.
        services: services + [ChangeFeedListener(database: database, scorecards: cache, principals: principals, logger: logger)],
        logger: logger
    )
}

public func buildRouter(
    configuration: ServerConfiguration = ServerConfiguration(),
    database: Store,
    readDatabase: Store? = nil,
    scorecardCache: ScorecardCache? = nil,
    principalCache: PrincipalCache? = nil
) throws
    -> Router<ChorusContext>
{
    _ = ChorusMetrics.registry  // the metrics backend, before any metric is made
    _ = ChorusMetrics.started
    let router = Router(context: ChorusContext.self)
    router.addMiddleware {
        RequestIDMiddleware()
        // Outside ProblemMiddleware, so it counts the status the client got.
        MetricsMiddleware()
        LogRequestsMiddleware(.debug)
        ProblemMiddleware()
    }
    router.add(
        middleware: MethodGuardMiddleware(
            contract: try ContractRoutes(
                contract: String(decoding: try OpenAPIDocument.bytes(), as: UTF8.self),
                prefix: "/api/v1",
                extra: [("/health", [.get]), ("/ready", [.get]), ("/metrics", [.get]), ("/openapi.yaml", [.get])]
            )
        )
    )
    HealthController(database: database).addRoutes(to: router)
    MetricsController(
        database: database,
        readDatabase: readDatabase,
        scorecardCache: scorecardCache,
        principalCache: principalCache,
        restarts: configuration.restarts
    ).addRoutes(
        to: router
    )
    let web = try WebPages(
        database: database,
        limiter: SubmissionLimiter(
            perClientPerMinute: configuration.submissionsPerClientPerMinute,
            perClientBurst: configuration.submissionBurst,
            trustedProxies: configuration.trustedProxies
        ),
        publicURL: configuration.publicURL
    )
    web.addRoutes(to: router)
    let liaison = LiaisonPages(web: web)
    liaison.addRoutes(to: router)
    DashboardPages(liaison: liaison).addRoutes(to: router)
    ConsolePages(web: web).addRoutes(to: router)
    router.get("/openapi.yaml") { _, _ in
        var headers = HTTPFields()
        headers[.contentType] = "application/yaml"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try OpenAPIDocument.bytes())))
    }
    let api = router.group("api/v1")
        .add(middleware: BodyLimitMiddleware(maximumBytes: configuration.maximumBodyBytes))
        .add(middleware: AuthenticationMiddleware(database: database, principals: principalCache))
        .add(middleware: QueryGuardMiddleware())
        .add(middleware: NullGuardMiddleware())
        .add(middleware: ScorecardCacheMiddleware(cache: readDatabase == nil ? scorecardCache : nil))
    try API(database: database, scorecardDatabase: readDatabase, maximumReplicaLag: configuration.maximumReplicaLag).registerHandlers(
        on: api,
        configuration: .init(dateTranscoder: RFC3339DateTranscoder())
    )
    return router
}

/// The contract, served as written (`Sources/Server/openapi.yaml`, bundled as a resource).
enum OpenAPIDocument {
    static func bytes() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw HTTPError(.internalServerError, message: "openapi.yaml is missing from the bundle")
        }
        return try Data(contentsOf: url)
    }
}
