internal import CLibPQ
import Foundation

/// Owns one libpq `PGconn`.
///
/// `@unchecked Sendable` because libpq connections are not thread-safe, yet we must move this
/// handle between tasks: the pool leases it to one task at a time, and that task runs every call
/// on the pool's `NIOThreadPool`, so no two threads ever use the `PGconn` at once.
final class PostgresConnectionHandle: @unchecked Sendable {
    private var connection: OpaquePointer?
    /// Stable identity for the pool's bookkeeping.
    let id: Int

    /// Blocking: call on the thread pool.
    init(configuration: PostgresConfiguration, id: Int) throws {
        self.id = id
        let parameters = configuration.connectParameters
        let keywords = parameters.map { strdup($0.0) } + [nil]
        let values = parameters.map { strdup($0.1) } + [nil]
        defer {
            for pointer in keywords + values { free(pointer) }
        }
        let connection = keywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { keywordPointers in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { valuePointers in
                PQconnectdbParams(keywordPointers.baseAddress, valuePointers.baseAddress, 1)
            }
        }
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let message = connection.map { String(cString: PQerrorMessage($0)) } ?? "out of memory"
            if let connection { PQfinish(connection) }
            throw PostgresError(code: .connectionFailed, sqlState: "08001", message: Self.trim(message))
        }
        self.connection = connection
        do {
            try executeScript(unsafeSQL: PostgresConfiguration.sessionSettings)
        } catch {
            close()
            throw error
        }
    }

    deinit {
        if let connection { PQfinish(connection) }
    }

    /// Whether libpq still considers the connection usable. Reads anything the server sent while
    /// the connection sat idle, so a backend ended by `pg_terminate_backend` or a server restart
    /// is noticed before the next query rather than by it.
    func isHealthy() -> Bool {
        guard let connection, PQstatus(connection) == CONNECTION_OK else { return false }
        // A terminated backend first sends its FATAL message, then closes; the EOF is only seen
        // on a second read, hence the loop.
        var reads = 0
        while reads < 4, Self.socketIsReadable(PQsocket(connection), timeoutMilliseconds: 0) {
            if PQconsumeInput(connection) == 0 { return false }
            reads += 1
        }
        return PQstatus(connection) == CONNECTION_OK && PQtransactionStatus(connection) == PQTRANS_IDLE
    }

    var isOpen: Bool {
        guard let connection else { return false }
        return PQstatus(connection) == CONNECTION_OK
    }

    func close() {
        if let connection { PQfinish(connection) }
        connection = nil
    }

    /// Runs one statement with bind parameters through the extended protocol.
    func execute(_ query: PostgresQuery) throws -> PostgresRows {
        let connection = try requireConnection()
        let binds = query.binds
        var types: [Oid] = binds.map { Oid($0.typeOID) }
        var lengths: [Int32] = []
        var formats: [Int32] = []
        var buffers: [UnsafeMutablePointer<CChar>?] = []
        defer { for buffer in buffers { free(buffer) } }
        for (index, bind) in binds.enumerated() {
            switch bind.value {
            case .none:
                buffers.append(nil)
                lengths.append(0)
                formats.append(0)
            case .text(let text):
                // A C string stops at NUL, which would silently truncate the value; PostgreSQL
                // text cannot hold NUL either, so refuse it.
                guard !text.utf8.contains(0) else {
                    throw PostgresError(
                        code: .invalidQuery,
                        message: "parameter $\(index + 1) contains a NUL character"
                    )
                }
                buffers.append(strdup(text))
                lengths.append(0)
                formats.append(0)
            case .binary(let bytes):
                let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(bytes.count, 1))
                bytes.withUnsafeBufferPointer { source in
                    if let base = source.baseAddress {
                        buffer.withMemoryRebound(to: UInt8.self, capacity: bytes.count) {
                            $0.update(from: base, count: bytes.count)
                        }
                    }
                }
                buffers.append(buffer)
                lengths.append(Int32(bytes.count))
                formats.append(1)
            }
        }
        guard !query.sql.utf8.contains(0) else {
            throw PostgresError(code: .invalidQuery, message: "SQL text contains a NUL character")
        }
        let values = buffers.map { UnsafePointer($0) }
        let result = values.withUnsafeBufferPointer { valuePointers in
            PQexecParams(
                connection,
                query.sql,
                Int32(binds.count),
                &types,
                valuePointers.baseAddress,
                &lengths,
                &formats,
                0
            )
        }
        return try consume(result, connection: connection)
    }

    /// Runs a script of several statements with the simple protocol (no parameters): migrations.
    func executeScript(unsafeSQL sql: String) throws {
        let connection = try requireConnection()
        guard !sql.utf8.contains(0) else {
            throw PostgresError(code: .invalidQuery, message: "SQL text contains a NUL character")
        }
        _ = try consume(PQexec(connection, sql), connection: connection)
    }

    /// Waits up to `timeoutMilliseconds` for notifications and returns those that arrived.
    func waitForNotifications(timeoutMilliseconds: Int32) throws -> [PostgresNotification] {
        let connection = try requireConnection()
        var received = drainNotifications(connection)
        if received.isEmpty, Self.socketIsReadable(PQsocket(connection), timeoutMilliseconds: timeoutMilliseconds) {
            if PQconsumeInput(connection) == 0 || PQstatus(connection) != CONNECTION_OK {
                throw connectionError(connection)
            }
            received = drainNotifications(connection)
        }
        return received
    }

    private func drainNotifications(_ connection: OpaquePointer) -> [PostgresNotification] {
        var received: [PostgresNotification] = []
        while let notify = PQnotifies(connection) {
            received.append(
                PostgresNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: String(cString: notify.pointee.extra),
                    processID: Int(notify.pointee.be_pid)
                )
            )
            PQfreemem(notify)
        }
        return received
    }

    private func requireConnection() throws -> OpaquePointer {
        guard let connection else {
            throw PostgresError(code: .connectionFailed, sqlState: "08003", message: "connection is closed")
        }
        return connection
    }

    private func consume(_ result: OpaquePointer?, connection: OpaquePointer) throws -> PostgresRows {
        guard let result else { throw connectionError(connection) }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return Self.rows(of: result)
        default:
            if PQstatus(connection) != CONNECTION_OK { throw connectionError(connection) }
            func field(_ code: UInt8) -> String? {
                PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
            }
            throw PostgresError(
                code: .server,
                sqlState: field(UInt8(ascii: "C")),
                message: field(UInt8(ascii: "M")) ?? Self.trim(String(cString: PQresultErrorMessage(result))),
                detail: field(UInt8(ascii: "D")),
                constraint: field(UInt8(ascii: "n")),
                table: field(UInt8(ascii: "t")),
                column: field(UInt8(ascii: "c"))
            )
        }
    }

    private func connectionError(_ connection: OpaquePointer) -> PostgresError {
        PostgresError(
            code: .connectionFailed,
            sqlState: "08006",
            message: Self.trim(String(cString: PQerrorMessage(connection)))
        )
    }

    private static func rows(of result: OpaquePointer) -> PostgresRows {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        let columns = (0..<columnCount).map { column in
            PostgresColumn(
                name: String(cString: PQfname(result, Int32(column))),
                typeOID: UInt32(PQftype(result, Int32(column)))
            )
        }
        var values: [[String?]] = []
        values.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var rowValues: [String?] = []
            rowValues.reserveCapacity(columnCount)
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    rowValues.append(nil)
                } else {
                    let length = Int(PQgetlength(result, Int32(row), Int32(column)))
                    let pointer = UnsafeRawPointer(PQgetvalue(result, Int32(row), Int32(column))!)
                    rowValues.append(
                        String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
                    )
                }
            }
            values.append(rowValues)
        }
        let affected = Int(String(cString: PQcmdTuples(result))) ?? rowCount
        return PostgresRows(columns: columns, values: values, affectedRows: affected)
    }

    private static func socketIsReadable(_ socket: Int32, timeoutMilliseconds: Int32) -> Bool {
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, timeoutMilliseconds) > 0
    }

    private static func trim(_ message: String) -> String {
        message.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A message from `NOTIFY`.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    public var processID: Int
}
