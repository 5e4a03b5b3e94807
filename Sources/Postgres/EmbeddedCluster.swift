import Foundation
import Logging

/// A private PostgreSQL cluster in a data directory, made with the system's `initdb` and run with
/// `pg_ctl`, listening only on a Unix socket inside that directory (no TCP port to collide with or
/// expose). Started by root, PostgreSQL runs as the `postgres` user, since it refuses to run as root.
public struct EmbeddedCluster: Sendable {
    public let dataDirectory: URL
    let logger: Logger

    public init(dataDirectory: URL, logger: Logger) {
        self.dataDirectory = dataDirectory.standardizedFileURL
        self.logger = logger
    }

    /// A libpq URL for `database` on this cluster's socket, as the `postgres` superuser.
    public func url(database: String = "chorus") -> String {
        var components = URLComponents()
        components.scheme = "postgresql"
        components.host = ""
        components.path = "/" + database
        components.queryItems = [
            URLQueryItem(name: "host", value: dataDirectory.path),
            URLQueryItem(name: "user", value: "postgres"),
        ]
        return components.string ?? "postgresql:///\(database)"
    }

    /// Creates the cluster if needed and starts it unless it already runs. Returns whether this
    /// call started it (and so should stop it).
    @discardableResult
    public func start() throws -> Bool {
        let binaries = try Self.binaryDirectory()
        let path = dataDirectory.path
        let socketPath = path + "/.s.PGSQL.5432"
        guard socketPath.utf8.count < 108 else {
            throw EmbeddedClusterError(
                "the data directory path is too long for a Unix socket (\(socketPath.utf8.count) bytes, limit 107); choose a shorter --data-dir"
            )
        }
        try prepareDirectory()
        let fileManager = FileManager.default
        let versionFile = dataDirectory.appendingPathComponent("PG_VERSION").path
        let controlFile = dataDirectory.appendingPathComponent("global/pg_control").path
        if !fileManager.fileExists(atPath: versionFile) {
            let contents = (try? fileManager.contentsOfDirectory(atPath: path)) ?? []
            guard contents.isEmpty else {
                throw EmbeddedClusterError(
                    "\(path) is not empty but holds no PostgreSQL cluster (no PG_VERSION); it may be half-made by an interrupted start. Remove it, or choose another --data-dir"
                )
            }
            logger.info("creating private PostgreSQL cluster", metadata: ["data_dir": "\(path)"])
            let result = try run(
                binaries + "/initdb",
                ["-D", path, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale"]
            )
            guard result.status == 0 else {
                throw EmbeddedClusterError("initdb failed in \(path):\n\(result.output)")
            }
            try appendSettings()
        } else if !fileManager.fileExists(atPath: controlFile) {
            throw EmbeddedClusterError(
                "\(path) has PG_VERSION but no global/pg_control: a half-made cluster. Remove it, or choose another --data-dir"
            )
        }
        if try run(binaries + "/pg_ctl", ["status", "-D", path]).status == 0 {
            logger.info("reusing running private PostgreSQL", metadata: ["data_dir": "\(path)"])
            return false
        }
        let lockFile = dataDirectory.appendingPathComponent("postmaster.pid").path
        if fileManager.fileExists(atPath: lockFile) {
            // pg_ctl status said no server runs, so the lock is left over from a crash.
            logger.warning("removing stale postmaster.pid", metadata: ["data_dir": "\(path)"])
            try fileManager.removeItem(atPath: lockFile)
        }
        let result = try run(
            binaries + "/pg_ctl",
            ["start", "-D", path, "-w", "-t", "60", "-l", path + "/server.log"]
        )
        guard result.status == 0 else {
            let log = (try? String(contentsOfFile: path + "/server.log", encoding: .utf8)) ?? ""
            throw EmbeddedClusterError(
                "pg_ctl could not start PostgreSQL in \(path):\n\(result.output)\n\(log.suffix(2000))"
            )
        }
        logger.info("started private PostgreSQL", metadata: ["data_dir": "\(path)"])
        return true
    }

    public func stop() throws {
        let binaries = try Self.binaryDirectory()
        let result = try run(binaries + "/pg_ctl", ["stop", "-D", dataDirectory.path, "-m", "fast", "-w"])
        if result.status == 0 {
            logger.info("stopped private PostgreSQL", metadata: ["data_dir": "\(dataDirectory.path)"])
        } else {
            logger.warning("pg_ctl stop failed", metadata: ["output": "\(result.output)"])
        }
    }

    private func appendSettings() throws {
        let escapedPath = dataDirectory.path.replacingOccurrences(of: "'", with: "''")
        let settings = """

            # Added by chorus: a private cluster reachable only through its own socket.
            listen_addresses = ''
            unix_socket_directories = '\(escapedPath)'
            unix_socket_permissions = 0700
            max_connections = 200
            shared_buffers = 128MB
            # Solid-state storage, and short queries that JIT compilation only slows.
            random_page_cost = 1.1
            jit = off

            """
        let handle = try FileHandle(forWritingTo: dataDirectory.appendingPathComponent("postgresql.conf"))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(settings.utf8))
    }

    /// Makes the data directory, owned by `postgres` when we are root, and checks that
    /// PostgreSQL's user can reach it (a checkout under /root is not reachable by `postgres`).
    private func prepareDirectory() throws {
        let path = dataDirectory.path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard geteuid() == 0 else { return }
        guard let account = getpwnam("postgres") else {
            throw EmbeddedClusterError(
                "running as root needs a 'postgres' user to run PostgreSQL; install the postgresql package"
            )
        }
        if chown(path, account.pointee.pw_uid, account.pointee.pw_gid) != 0 {
            throw EmbeddedClusterError("could not give \(path) to the postgres user")
        }
        chmod(path, 0o700)
        if try run("/usr/bin/test", ["-w", path]).status != 0 {
            throw EmbeddedClusterError(
                "the postgres user cannot reach \(path) (a parent directory is private, e.g. /root); set --data-dir or CHORUS_DATA_DIR to a path such as /var/lib/chorus/postgres"
            )
        }
    }

    /// Runs a PostgreSQL program, as `postgres` when we are root, with `posix_spawn` and
    /// `waitpid`. Output goes to a file rather than a pipe, and Foundation's `Process` is avoided:
    /// the postmaster that `pg_ctl start` leaves running inherits descriptors and makes
    /// `Process.waitUntilExit` wait for it.
    private func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        // `env -C /`: initdb fails when its working directory (say /root) is unreadable to postgres.
        let command = ["/usr/bin/env", "-C", "/", executable] + arguments
        let argv = geteuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] + command : command
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("chorus-pg-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else {
            throw EmbeddedClusterError("could not run \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED / WEXITSTATUS, which Swift does not import as macros.
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (exitStatus, output)
    }

    /// A PostgreSQL program (`pg_dump`, `pg_restore`) of the installed server's version.
    public static func program(_ name: String) throws -> String { try binaryDirectory() + "/" + name }

    /// The server binaries: `pg_config --bindir`, else the newest `/usr/lib/postgresql/*/bin`.
    static func binaryDirectory() throws -> String {
        let fileManager = FileManager.default
        let versions = ((try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for version in versions {
            let directory = "/usr/lib/postgresql/\(version)/bin"
            if fileManager.isExecutableFile(atPath: directory + "/pg_ctl") { return directory }
        }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            if fileManager.isExecutableFile(atPath: "\(directory)/pg_ctl")
                && fileManager.isExecutableFile(atPath: "\(directory)/initdb")
            {
                return String(directory)
            }
        }
        throw EmbeddedClusterError(
            "PostgreSQL server programs (initdb, pg_ctl) not found; install the postgresql package or set DATABASE_URL"
        )
    }
}

public struct EmbeddedClusterError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
