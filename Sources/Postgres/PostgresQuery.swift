/// A SQL statement whose interpolated values are bind parameters, never SQL text.
///
///     let query: PostgresQuery = "SELECT id FROM schools WHERE code = \(code)"
///     // sql: "SELECT id FROM schools WHERE code = $1", binds: [code]
///
/// Raw SQL enters only through `init(unsafeSQL:)` or `\(unsafeSQL:)`, so a reviewer can search
/// for the one place where text becomes SQL.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation {
    public private(set) var sql: String
    public private(set) var binds: [PostgresBind]

    /// SQL sent as written, with no parameters. Never build it from user input.
    public init(unsafeSQL sql: String) {
        self.sql = sql
        self.binds = []
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.binds = stringInterpolation.binds
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [PostgresBind] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            binds.append(value.postgresBind)
            sql += "$\(binds.count)"
        }

        public mutating func appendInterpolation(_ value: (some PostgresEncodable)?) {
            binds.append(value?.postgresBind ?? .null)
            sql += "$\(binds.count)"
        }

        /// Identifiers or fragments chosen by our code (never by users), such as a column name
        /// picked from a fixed list.
        public mutating func appendInterpolation(unsafeSQL fragment: String) {
            sql += fragment
        }
    }
}
