/// The result of one statement, fully read from libpq (results are small in Chorus: we page).
public struct PostgresRows: Sendable, Sequence {
    public let columns: [PostgresColumn]
    let values: [[String?]]
    /// Rows touched by INSERT/UPDATE/DELETE (`PQcmdTuples`), or the number of rows returned.
    public let affectedRows: Int

    init(columns: [PostgresColumn], values: [[String?]], affectedRows: Int) {
        self.columns = columns
        self.values = values
        self.affectedRows = affectedRows
    }

    public var count: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }
    public var first: PostgresRow? { values.first.map { PostgresRow(columns: columns, values: $0) } }

    /// The first row of a statement that always returns one (`INSERT … RETURNING`, an aggregate):
    /// a decoding error rather than a trap if it did not.
    public func one() throws -> PostgresRow {
        guard let first else { throw PostgresError(code: .decoding, message: "the statement returned no row") }
        return first
    }

    public func makeIterator() -> some IteratorProtocol<PostgresRow> {
        let columns = columns
        return values.lazy.map { PostgresRow(columns: columns, values: $0) }.makeIterator()
    }
}

public struct PostgresColumn: Sendable, Hashable {
    public let name: String
    public let typeOID: UInt32
}

/// One row; values are libpq's text format, decoded on demand.
public struct PostgresRow: Sendable {
    public let columns: [PostgresColumn]
    let values: [String?]

    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, at index: Int) throws -> T {
        guard index < columns.count else {
            throw PostgresError(code: .decoding, message: "no column at index \(index)")
        }
        let column = columns[index]
        guard let text = values[index] else {
            if let optional = T.self as? any PostgresOptionalDecodable.Type {
                // Safe: the cast above proves T is Optional<Wrapped>.
                return optional.postgresNull as! T
            }
            throw PostgresError(
                code: .decoding,
                message: "column \"\(column.name)\" is NULL, expected \(T.self)",
                column: column.name
            )
        }
        return try T.decode(postgresText: text, column: column)
    }

    public func decode<T: PostgresDecodable>(_ type: T.Type = T.self, column name: String) throws -> T {
        guard let index = columns.firstIndex(where: { $0.name == name }) else {
            throw PostgresError(code: .decoding, message: "no column named \"\(name)\"", column: name)
        }
        return try decode(type, at: index)
    }

    /// Decodes the first columns as a tuple: `let (id, name) = try row.decode((Int, String).self)`.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws -> (repeat each T) {
        var index = -1
        func next<U: PostgresDecodable>(_ type: U.Type) throws -> U {
            index += 1
            return try decode(U.self, at: index)
        }
        return (repeat try next((each T).self))
    }

    /// Whether the column is SQL NULL.
    public func isNull(at index: Int) -> Bool { values[index] == nil }
}
