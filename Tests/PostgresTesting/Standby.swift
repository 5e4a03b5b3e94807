import Foundation
import Postgres

/// A real streaming standby of an embedded cluster (issue 18): `pg_basebackup -R` copies the
/// primary and writes its connection settings, then the copy starts in hot standby on its own
/// socket. Run as `postgres` when the tests run as root, as the servers are.
public enum Standby {
    public static func make(from primary: EmbeddedCluster, in directory: URL) async throws -> EmbeddedCluster {
        let conninfo = "host=\(primary.dataDirectory.path) port=5432 user=postgres"
        var command = [try EmbeddedCluster.program("pg_basebackup"), "-D", directory.path, "-R", "-X", "stream", "--checkpoint=fast", "-d", conninfo]
        command = ["/usr/bin/env", "-C", "/"] + command
        if getuid() == 0 { command = ["/usr/sbin/runuser", "-u", "postgres", "--"] + command }
        let finished = try await ChildProcess.run(Array(command.dropFirst()), executable: URL(fileURLWithPath: command[0]), errorsInOutput: true)
        guard finished.status == 0 else { throw SinkError("pg_basebackup failed: \(finished.text)") }
        // The primary's socket lives in its data directory, so the copy holds its lock file.
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(".s.PGSQL.5432.lock"))
        // The copy's settings say the primary's socket directory: the standby needs its own.
        let auto = directory.appendingPathComponent("postgresql.auto.conf")
        let handle = try FileHandle(forWritingTo: auto)
        handle.seekToEndOfFile()
        handle.write(Data("unix_socket_directories = '\(directory.path)'\nhot_standby = on\n".utf8))
        try handle.close()
        let standby = EmbeddedCluster(dataDirectory: directory, logger: TestDatabase.logger)
        try await standby.startOffThePool()
        return standby
    }
}
