import ArgumentParser
import Hummingbird
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

    @Flag(name: .customLong("no-workers"), help: "Serve HTTP only; run `chorus work` elsewhere.")
    var noWorkers = false

    func run() async throws {
        let logger = database.makeLogger()
        var (client, services) = try await workerOptions.services(database: database, workers: !noWorkers, logger: logger)
        let replica = database.openReadReplica(logger: logger)
        if let replica { services.insert(replica, at: services.firstIndex { $0 as AnyObject === client } ?? 0) }
        let app = try buildApplication(
            configuration: ServerConfiguration(host: host, port: port, maximumBodyBytes: maximumBodyBytes),
            database: client,
            readDatabase: replica,
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
