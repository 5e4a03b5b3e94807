/// An error from the database layer.
///
/// `description` never contains bound values or server text that may echo them (PostgreSQL's
/// messages and DETAIL lines can quote the offending value); only the SQLSTATE, constraint,
/// column and table names. The full server message is in `debugDescription`, for debugging only.
public struct PostgresError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// The connection could not be made or was lost.
        public static let connectionFailed = Code(name: "connectionFailed")
        /// The server answered with an error (see `sqlState`).
        public static let server = Code(name: "server")
        /// No connection became free within the pool's acquire timeout.
        public static let acquireTimeout = Code(name: "acquireTimeout")
        /// The pool has been shut down.
        public static let poolClosed = Code(name: "poolClosed")
        /// A column could not be decoded into the requested Swift type.
        public static let decoding = Code(name: "decoding")
        /// A query string or argument libpq cannot send (for example a NUL byte in text).
        public static let invalidQuery = Code(name: "invalidQuery")
    }

    public var code: Code
    /// The five-character SQLSTATE for server errors, `08…` for connection errors.
    public var sqlState: String?
    public var constraint: String?
    public var table: String?
    public var column: String?
    /// Server or client message; may contain values, so only in `debugDescription`.
    public var message: String
    public var detail: String?

    public init(
        code: Code,
        sqlState: String? = nil,
        message: String,
        detail: String? = nil,
        constraint: String? = nil,
        table: String? = nil,
        column: String? = nil
    ) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.detail = detail
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    public var isUniqueViolation: Bool { sqlState == "23505" }
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    public var isCheckViolation: Bool { sqlState == "23514" }
    public var isNotNullViolation: Bool { sqlState == "23502" }
    /// Connection exceptions (SQLSTATE class 08), admin shutdown (57P01…57P03) or a lost socket.
    public var isConnectionFailure: Bool {
        code == .connectionFailed || sqlState?.hasPrefix("08") == true
            || ["57P01", "57P02", "57P03"].contains(sqlState ?? "")
    }

    public var description: String {
        var parts = ["PostgresError.\(code)"]
        if let sqlState { parts.append("sqlstate=\(sqlState)") }
        if let constraint { parts.append("constraint=\(constraint)") }
        if let table { parts.append("table=\(table)") }
        if let column { parts.append("column=\(column)") }
        if code == .decoding || code == .acquireTimeout || code == .poolClosed || code == .invalidQuery {
            // These messages are our own and carry no values.
            parts.append(message)
        }
        return parts.joined(separator: " ")
    }

    public var debugDescription: String {
        var text = description + " message=\(message)"
        if let detail { text += " detail=\(detail)" }
        return text
    }
}

extension PostgresError {
    static func decoding(column: String, expected: String, typeOID: UInt32) -> PostgresError {
        PostgresError(
            code: .decoding,
            message: "column \"\(column)\" of type oid \(typeOID) cannot be decoded as \(expected)",
            column: column
        )
    }
}
