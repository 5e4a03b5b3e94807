import Engagement
import Foundation
import Hummingbird
import HummingbirdAuth

/// hummingbird-auth's session storage kept in PostgreSQL (Engagement's `StaffSessions`), so a
/// session made on one server is known, and ended, on every other.
struct StaffSessionDriver: PersistDriver {
    let database: Store

    func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let json = try Self.json(value)
        try await database.transaction {
            try await StaffSessions().set(key: key, json: json, expires: Self.seconds(expires), create: true, on: $0)
        }
    }

    func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        let json = try Self.json(value)
        try await database.transaction {
            try await StaffSessions().set(key: key, json: json, expires: Self.seconds(expires), create: false, on: $0)
        }
    }

    func get<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: type)?.object
    }

    func getWithTTL<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> (object: Object, ttl: Duration?)? {
        guard let found = try await database.connection({ try await StaffSessions().get(key: key, on: $0) }) else { return nil }
        guard let object = try? JSONDecoder.sessions.decode(type, from: Data(found.json.utf8)) else { throw PersistError.invalidConversion }
        return (object, .seconds(found.ttl))
    }

    func remove(key: String) async throws {
        try await database.transaction { try await StaffSessions().remove(key: key, on: $0) }
    }

    /// A session without an expiry still ends: after a day.
    static func seconds(_ duration: Duration?) -> TimeInterval {
        duration.map { TimeInterval($0.components.seconds) } ?? 86_400
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder.sessions.encode(value), as: UTF8.self)
    }
}

extension JSONEncoder {
    static var sessions: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension JSONDecoder {
    static var sessions: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
