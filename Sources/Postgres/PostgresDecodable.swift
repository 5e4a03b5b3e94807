import Foundation

/// A Swift type that can be read from a column in libpq's text format.
public protocol PostgresDecodable: Sendable {
    static func decode(postgresText text: String, column: PostgresColumn) throws -> Self
}

protocol PostgresOptionalDecodable {
    static var postgresNull: Self { get }
}

extension Optional: PostgresOptionalDecodable where Wrapped: PostgresDecodable {
    static var postgresNull: Self { .none }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(postgresText text: String, column: PostgresColumn) throws -> Self {
        try Wrapped.decode(postgresText: text, column: column)
    }
}

extension PostgresDecodable {
    /// Checks the column's type before parsing, so a mismatch names the column instead of
    /// silently reinterpreting text.
    static func expect(
        _ column: PostgresColumn,
        in oids: Set<UInt32>,
        _ text: String,
        parse: (String) -> Self?
    ) throws -> Self {
        guard oids.contains(column.typeOID), let value = parse(text) else {
            throw PostgresError.decoding(column: column.name, expected: "\(Self.self)", typeOID: column.typeOID)
        }
        return value
    }
}

private let integerOIDs: Set<UInt32> = [PostgresOID.int2, PostgresOID.int4, PostgresOID.int8, PostgresOID.oid]
private let textOIDs: Set<UInt32> = [
    PostgresOID.text, PostgresOID.varchar, PostgresOID.bpchar, PostgresOID.name, PostgresOID.unknown,
]

extension Bool: PostgresDecodable {
    public static func decode(postgresText text: String, column: PostgresColumn) throws -> Bool {
        try expect(column, in: [PostgresOID.bool], text) { $0 == "t" ? true : $0 == "f" ? false : nil }
    }
}

extension Int: PostgresDecodable {
    public static func decode(postgresText text: String, column: PostgresColumn) throws -> Int {
        try expect(column, in: integerOIDs, text) { Int($0) }
    }
}

extension Int64: PostgresDecodable {
    public static func decode(postgresText text: String, column: PostgresColumn) throws -> Int64 {
        try expect(column, in: integerOIDs, text) { Int64($0) }
    }
}

extension Int32: PostgresDecodable {
    public static func decode(postgresText text: String, column: PostgresColumn) throws -> Int32 {
        try expect(column, in: integerOIDs, text) { Int32($0) }
    }
}

extension Double: PostgresDecodable {
    public static func decode(postgresText text: String, column: PostgresColumn) throws -> Double {
        try expect(column, in: [PostgresOID.float4, PostgresOID.float8, PostgresOID.numeric], text) {
            switch $0 {
            case "NaN": .nan
            case "Infinity": .infinity
            case "-Infinity": -.infinity
            default: Double($0)
            }
        }
    }
}

extension Decimal: PostgresDecodable {
    public static func decode(postgresText text: String, column: PostgresColumn) throws -> Decimal {
        try expect(column, in: [PostgresOID.numeric], text) {
            Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX"))
        }
    }
}

extension String: PostgresDecodable {
    /// Text-like columns only, plus enum types (user-defined OIDs above the built-in range),
    /// whose text form is their label.
    public static func decode(postgresText text: String, column: PostgresColumn) throws -> String {
        guard textOIDs.contains(column.typeOID) || column.typeOID >= 16384 else {
            throw PostgresError.decoding(column: column.name, expected: "String", typeOID: column.typeOID)
        }
        return text
    }
}

extension UUID: PostgresDecodable {
    public static func decode(postgresText text: String, column: PostgresColumn) throws -> UUID {
        try expect(column, in: [PostgresOID.uuid], text) { UUID(uuidString: $0) }
    }
}

extension Date: PostgresDecodable {
    public static func decode(postgresText text: String, column: PostgresColumn) throws -> Date {
        try expect(column, in: [PostgresOID.timestamptz, PostgresOID.timestamp, PostgresOID.date], text) {
            PostgresTimestamp.parse($0)
        }
    }
}

extension Data: PostgresDecodable {
    public static func decode(postgresText text: String, column: PostgresColumn) throws -> Data {
        try expect(column, in: [PostgresOID.bytea], text) { PostgresByteaHex.parse($0).map { Data($0) } }
    }
}

extension Array: PostgresDecodable where Element == String {
    /// `text[]`/`varchar[]`; a NULL element is an error (use a query that filters them).
    public static func decode(postgresText text: String, column: PostgresColumn) throws -> [String] {
        try expect(column, in: [PostgresOID.textArray, PostgresOID.varcharArray], text) {
            guard let elements = PostgresArrayLiteral.parse($0), !elements.contains(where: { $0 == nil }) else {
                return nil
            }
            return elements.compactMap { $0 }
        }
    }
}

extension PostgresJSON: PostgresDecodable {
    public static func decode(postgresText text: String, column: PostgresColumn) throws -> PostgresJSON<Value> {
        guard column.typeOID == PostgresOID.json || column.typeOID == PostgresOID.jsonb else {
            throw PostgresError.decoding(column: column.name, expected: "JSON", typeOID: column.typeOID)
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return PostgresJSON(try decoder.decode(Value.self, from: Data(text.utf8)))
        } catch {
            throw PostgresError.decoding(column: column.name, expected: "\(Value.self)", typeOID: column.typeOID)
        }
    }
}
