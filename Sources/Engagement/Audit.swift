import Foundation
import Postgres

/// The audit log (Schema/0013): one row per staff change, written in the same transaction as the
/// change, so a change and its row commit or roll back together. Append-only in the database.
public struct Audit: Sendable {
    /// Who acted: an account, or a command on the server (`cli:root`), or a token.
    public struct Actor: Sendable, Equatable {
        public var accountID: Int64?
        public var label: String
        public var requestID: String?

        public init(accountID: Int64?, label: String, requestID: String? = nil) {
            self.accountID = accountID
            self.label = label
            self.requestID = requestID
        }

        public static func account(_ id: Int64, requestID: String? = nil) -> Actor {
            Actor(accountID: id, label: "account:\(id)", requestID: requestID)
        }

        public static func command(_ user: String) -> Actor { Actor(accountID: nil, label: "cli:\(user)") }
    }

    public struct Entry: Sendable, Equatable, Codable {
        public var id: Int64
        public var at: Date
        public var accountID: Int64?
        public var actor: String
        public var action: String
        public var entity: String
        public var entityID: String?
        public var oldValues: [String: JSONValue]?
        public var newValues: [String: JSONValue]?
        public var requestID: String?

        enum CodingKeys: String, CodingKey {
            case id, at, actor, action, entity
            case accountID = "account_id"
            case entityID = "entity_id"
            case oldValues = "old_values"
            case newValues = "new_values"
            case requestID = "request_id"
        }
    }

    public init() {}

    /// Writes one row. Values are the record's fields as JSON; contact details never reach here
    /// unmasked (`masked`).
    public func record(
        _ action: String,
        _ entity: String,
        id: String?,
        old: [String: JSONValue]? = nil,
        new: [String: JSONValue]? = nil,
        by actor: Actor,
        on db: PostgresConnection
    ) async throws {
        try await db.query(
            """
            INSERT INTO audit_log (account_id, actor, action, entity, entity_id, old_values, new_values, request_id)
            VALUES (\(actor.accountID), \(actor.label), \(action), \(entity), \(id),
                    \(try old.map(JSONValue.encoded))::jsonb, \(try new.map(JSONValue.encoded))::jsonb, \(actor.requestID))
            """
        )
    }

    public struct Filter: Sendable, Equatable {
        public var entity: String?
        public var action: String?
        public var accountID: Int64?
        public var before: Int64?
        public var limit: Int

        public init(entity: String? = nil, action: String? = nil, accountID: Int64? = nil, before: Int64? = nil, limit: Int = 100) {
            self.entity = entity
            self.action = action
            self.accountID = accountID
            self.before = before
            self.limit = limit
        }
    }

    /// The newest entries first; `before` pages back by id.
    public func entries(_ filter: Filter, on db: PostgresConnection) async throws -> [Entry] {
        let limit = min(max(filter.limit, 1), 500)
        return try await db.query(
            """
            SELECT id, at, account_id, actor, action, entity, entity_id, old_values::text, new_values::text, request_id
            FROM audit_log
            WHERE (\(filter.entity)::text IS NULL OR entity = \(filter.entity))
              AND (\(filter.action)::text IS NULL OR action = \(filter.action))
              AND (\(filter.accountID)::bigint IS NULL OR account_id = \(filter.accountID))
              AND (\(filter.before)::bigint IS NULL OR id < \(filter.before))
            ORDER BY id DESC LIMIT \(limit)
            """
        ).map { row in
            let (id, at, accountID, actor, action, entity, entityID, old, new, requestID) = try row.decode(
                (Int64, Date, Int64?, String, String, String, String?, String?, String?, String?).self
            )
            return Entry(
                id: id,
                at: at,
                accountID: accountID,
                actor: actor,
                action: action,
                entity: entity,
                entityID: entityID,
                oldValues: try old.map(JSONValue.object),
                newValues: try new.map(JSONValue.object),
                requestID: requestID
            )
        }
    }
}

/// A JSON value, for the audit log's before and after (any record's fields, typed loosely).
public enum JSONValue: Sendable, Equatable, Codable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// Any Encodable's fields as an object (a record's columns for the log).
    public static func fields(of value: some Encodable) throws -> [String: JSONValue] {
        try JSONDecoder().decode([String: JSONValue].self, from: JSONEncoder().encode(value))
    }

    static func encoded(_ object: [String: JSONValue]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(object), as: UTF8.self)
    }

    static func object(_ text: String) throws -> [String: JSONValue] {
        try JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))
    }
}
