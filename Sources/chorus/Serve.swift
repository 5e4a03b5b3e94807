import ArgumentParser
import Hummingbird
import Server
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP server.")

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8080

    func run() async throws {
        let logger = database.makeLogger()
        let (client, startedCluster) = try await database.open(logger: logger)
        var services: [any Service] = []
        if let startedCluster { services.append(EmbeddedClusterService(cluster: startedCluster)) }
        let app = try buildApplication(
            configuration: ServerConfiguration(host: host, port: port),
            database: client,
            services: services,
            logger: logger)
        try await app.runService()
    }
}
