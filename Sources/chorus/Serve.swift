import ArgumentParser
import Engagement
import Foundation
import Hummingbird
import InputParsing
import Server
import ServiceLifecycle
import UnixSignals

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP server, with job workers in-process by default.")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var workerOptions: WorkerOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8080

    @Option(name: .customLong("max-body-bytes"), help: "Largest request body accepted (413 beyond).")
    var maximumBodyBytes = 64 * 1024

    @Option(help: "Web form submissions allowed per client address per minute (429 beyond).")
    var submissionsPerMinute = 10.0

    @Option(help: "Seconds a connection may wait to send a complete request head (and stay idle between requests).")
    var idleTimeout = 15

    @Option(help: "Seconds a request may take to arrive in full once its head has.")
    var requestTimeout = 60

    @Flag(name: .customLong("no-workers"), help: "Serve HTTP only; run `chorus work` elsewhere.")
    var noWorkers = false

    @Option(help: "Proxies whose X-Forwarded-For names the client: CIDR networks, comma-separated (default: CHORUS_TRUSTED_PROXIES, else loopback).")
    var trustedProxies: String?

    func run() async throws {
        var proxies = NetworkRange.loopback
        if let text = trustedProxies ?? ProcessInfo.processInfo.environment["CHORUS_TRUSTED_PROXIES"], !text.isEmpty {
            switch NetworkRange.list(text) {
            case .success(let ranges): proxies = ranges
            case .failure(let error): throw ValidationError("trusted proxies: \(error)")
            }
        }
        let logger = database.makeLogger()
        var (client, services) = try await workerOptions.services(database: database, workers: !noWorkers, logger: logger)
        let replica = database.openReadReplica(logger: logger)
        if let replica { services.insert(replica, at: services.firstIndex { $0 as AnyObject === client } ?? 0) }
        let app = try buildApplication(
            configuration: ServerConfiguration(
                host: host,
                port: port,
                maximumBodyBytes: maximumBodyBytes,
                submissionsPerClientPerMinute: submissionsPerMinute,
                submissionBurst: max(5, submissionsPerMinute / 2),
                idleTimeout: .seconds(min(86_400, max(1, idleTimeout))),
                requestTimeout: .seconds(min(86_400, max(1, requestTimeout))),
                restarts: ProcessInfo.processInfo.environment["CHORUS_RESTARTS"].flatMap { Int($0) } ?? 0,
                trustedProxies: proxies,
                publicURL: ProcessInfo.processInfo.environment["CHORUS_PUBLIC_URL"].flatMap { $0.isEmpty ? nil : $0 },
                maximumReplicaLag: ProcessInfo.processInfo.environment["CHORUS_READ_MAX_LAG"].flatMap(Double.init) ?? 30
            ),
            database: Store(client),
            readDatabase: replica.map(Store.init),
            services: services,
            logger: logger
        )
        try await app.runService()
    }
}

struct Work: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run job workers only (scale them apart from the servers).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var workerOptions: WorkerOptions

    func run() async throws {
        let logger = database.makeLogger()
        let (_, services) = try await workerOptions.services(database: database, workers: true, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}
