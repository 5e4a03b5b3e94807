import Foundation

/// One bind parameter: its type OID (0 lets the server infer it) and its value, in text format
/// unless it is binary data.
public struct PostgresBind: Sendable, Equatable {
    public var typeOID: UInt32
    public var value: Value?

    public enum Value: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
    }

    public static let null = PostgresBind(typeOID: 0, value: nil)

    public init(typeOID: UInt32, value: Value?) {
        self.typeOID = typeOID
        self.value = value
    }
}

/// PostgreSQL type OIDs we send or decode (from `pg_type.dat`).
public enum PostgresOID {
    public static let bool: UInt32 = 16
    public static let bytea: UInt32 = 17
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let oid: UInt32 = 26
    public static let json: UInt32 = 114
    public static let float4: UInt32 = 700
    public static let float8: UInt32 = 701
    public static let unknown: UInt32 = 705
    public static let bpchar: UInt32 = 1042
    public static let varchar: UInt32 = 1043
    public static let date: UInt32 = 1082
    public static let timestamp: UInt32 = 1114
    public static let timestamptz: UInt32 = 1184
    public static let numeric: UInt32 = 1700
    public static let uuid: UInt32 = 2950
    public static let jsonb: UInt32 = 3802
    public static let textArray: UInt32 = 1009
    public static let varcharArray: UInt32 = 1015
    public static let name: UInt32 = 19
    public static let int8Array: UInt32 = 1016
    public static let int4Array: UInt32 = 1007
}

/// A Swift value that can be sent as a bind parameter.
public protocol PostgresEncodable: Sendable {
    var postgresBind: PostgresBind { get }
}

extension String: PostgresEncodable {
    // OID 0 lets the server infer the type, so a String binds to text, varchar, enums and
    // dates alike.
    public var postgresBind: PostgresBind { PostgresBind(typeOID: 0, value: .text(self)) }
}

extension Substring: PostgresEncodable {
    public var postgresBind: PostgresBind { String(self).postgresBind }
}

extension Bool: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(typeOID: PostgresOID.bool, value: .text(self ? "t" : "f")) }
}

extension Int: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(typeOID: PostgresOID.int8, value: .text(String(self))) }
}

extension Int64: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(typeOID: PostgresOID.int8, value: .text(String(self))) }
}

extension Int32: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(typeOID: PostgresOID.int4, value: .text(String(self))) }
}

extension Double: PostgresEncodable {
    public var postgresBind: PostgresBind {
        let text: String
        if isNaN {
            text = "NaN"
        } else if isInfinite {
            text = self > 0 ? "Infinity" : "-Infinity"
        } else {
            text = "\(self)"
        }
        return PostgresBind(typeOID: PostgresOID.float8, value: .text(text))
    }
}

extension Decimal: PostgresEncodable {
    public var postgresBind: PostgresBind {
        PostgresBind(typeOID: PostgresOID.numeric, value: .text(NSDecimalNumber(decimal: self).stringValue))
    }
}

extension UUID: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(typeOID: PostgresOID.uuid, value: .text(uuidString)) }
}

extension Date: PostgresEncodable {
    public var postgresBind: PostgresBind {
        PostgresBind(typeOID: PostgresOID.timestamptz, value: .text(PostgresTimestamp.format(self)))
    }
}

/// Binary data, sent as `bytea`.
extension Data: PostgresEncodable {
    public var postgresBind: PostgresBind { PostgresBind(typeOID: PostgresOID.bytea, value: .binary([UInt8](self))) }
}

extension Array: PostgresEncodable where Element == String {
    public var postgresBind: PostgresBind {
        PostgresBind(typeOID: PostgresOID.textArray, value: .text(PostgresArrayLiteral.format(self)))
    }
}

/// Any `Encodable` value sent as `jsonb`.
public struct PostgresJSON<Value: Codable & Sendable>: PostgresEncodable, Sendable {
    public var value: Value
    public init(_ value: Value) { self.value = value }

    public var postgresBind: PostgresBind {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        // Encoding our own Codable types cannot fail short of a programming error.
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        return PostgresBind(typeOID: PostgresOID.jsonb, value: .text(String(decoding: data, as: UTF8.self)))
    }
}
