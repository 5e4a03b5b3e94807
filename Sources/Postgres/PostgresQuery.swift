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

    /// This query with `value` as its next bind parameter (for SQL text chosen from a fixed list,
    /// such as a table name, that cannot be written as one interpolated literal).
    public func bound(_ value: some PostgresEncodable) -> PostgresQuery {
        var query = self
        query.binds.append(value.postgresBind)
        return query
    }

    /// The SQL with every `$n` placeholder shifted by `offset`. Placeholders are ours (made by
    /// interpolation), and our SQL puts no `$` inside string literals.
    func renumbered(by offset: Int) -> String {
        guard offset > 0 else { return sql }
        var result = ""
        var scalars = sql.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            guard scalar == "$", let next = pending, ("0"..."9").contains(next) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            var digits = ""
            while let digit = pending, ("0"..."9").contains(digit) {
                digits.unicodeScalars.append(digit)
                pending = scalars.next()
            }
            // `$` without a number (dollar quoting) is left as written.
            result += Int(digits).map { "$\($0 + offset)" } ?? "$" + digits
        }
        return result
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

        /// Another query as a fragment (a shared WHERE clause, say): its binds follow ours and its
        /// `$n` placeholders are renumbered to match.
        public mutating func appendInterpolation(_ fragment: PostgresQuery) {
            sql += fragment.renumbered(by: binds.count)
            binds += fragment.binds
        }
    }
}
