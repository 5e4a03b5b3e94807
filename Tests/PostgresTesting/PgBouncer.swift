import Foundation
import Logging
import Postgres

/// A private PostgreSQL cluster whose server defaults are not ours (`TimeZone`, `DateStyle`,
/// `IntervalStyle`, `extra_float_digits`), with a real PgBouncer in transaction mode in front,
/// both on Unix sockets in one scratch directory (issue 18, A1). PgBouncer is Debian's
/// (`apt-get install pgbouncer`; Deploy/test installs it); like PostgreSQL it runs as `postgres`
/// when the tests run as root.
public final class PgBouncerFixture: @unchecked Sendable {
    public let directory: URL
    public let cluster: EmbeddedCluster
    let process: Process
    /// PgBouncer's port: only names its socket file, no TCP port is opened.
    static let port = 6432

    init(directory: URL, cluster: EmbeddedCluster, process: Process) {
        self.directory = directory
        self.cluster = cluster
        self.process = process
    }

    /// A database straight on the cluster.
    public func directURL(database: String) -> String { cluster.url(database: database) }

    /// The same database through PgBouncer.
    public func pooledURL(database: String) -> String {
        "postgresql:///\(database)?host=\(directory.path)&port=\(Self.port)&user=postgres"
    }

    /// Starts both; `poolSize` is PgBouncer's server connections per database.
    public static func start(poolSize: Int, settings: [String: String], logger: Logger) async throws -> PgBouncerFixture {
        let directory = URL(fileURLWithPath: "/tmp/chorus-pgb-\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        chmod(directory.path, 0o777)
        let cluster = EmbeddedCluster(dataDirectory: directory.appendingPathComponent("pg"), logger: logger)
        try await cluster.startOffThePool()
        let admin = PostgresClient(configuration: .init(url: cluster.url(database: "postgres"), maximumConnections: 1), logger: logger)
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) {
            // ALTER SYSTEM takes no bind parameters; the names and values are the test's own.
            try await admin.query(PostgresQuery(unsafeSQL: "ALTER SYSTEM SET \(name) = '\(value)'"))
        }
        try await admin.query("SELECT pg_reload_conf()")
        await admin.close()

        let config = """
            [databases]
            * = host=\(cluster.dataDirectory.path) port=5432 user=postgres
            [pgbouncer]
            listen_addr =
            listen_port = \(port)
            unix_socket_dir = \(directory.path)
            auth_type = trust
            auth_file = \(directory.path)/users.txt
            pool_mode = transaction
            default_pool_size = \(poolSize)
            max_client_conn = 500
            logfile = \(directory.path)/pgbouncer.log
            pidfile = \(directory.path)/pgbouncer.pid
            """
        try config.write(to: directory.appendingPathComponent("pgbouncer.ini"), atomically: true, encoding: .utf8)
        try "\"postgres\" \"\"\n".write(to: directory.appendingPathComponent("users.txt"), atomically: true, encoding: .utf8)
        let process = Process()
        let binary = "/usr/sbin/pgbouncer"
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw SinkError("pgbouncer is not installed (apt-get install pgbouncer; Deploy/test does)")
        }
        if getuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "postgres", "--", binary, directory.path + "/pgbouncer.ini"]
        } else {
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = [directory.path + "/pgbouncer.ini"]
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let fixture = PgBouncerFixture(directory: directory, cluster: cluster, process: process)
        let socket = directory.appendingPathComponent(".s.PGSQL.\(port)").path
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) { try await Task.sleep(for: .milliseconds(25)) }
        guard FileManager.default.fileExists(atPath: socket) else {
            fixture.stop()
            throw SinkError("pgbouncer did not start: \((try? String(contentsOfFile: directory.path + "/pgbouncer.log", encoding: .utf8)) ?? "")")
        }
        return fixture
    }

    /// What PgBouncer logged (its refusals name the startup parameter).
    public var log: String { (try? String(contentsOfFile: directory.path + "/pgbouncer.log", encoding: .utf8)) ?? "" }

    public func stop() {
        if let pid = try? String(contentsOfFile: directory.path + "/pgbouncer.pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
            let value = Int32(pid)
        {
            kill(value, SIGKILL)
        }
        process.terminate()
        EmbeddedCluster.stopInBackground([cluster], thenRemove: directory)
    }
}
