import Crypto
import Engagement
import Foundation

/// `Idempotency-Key` for the API's POSTs (`Engagement.IdempotencyKeys` keeps the keys): the
/// request is fingerprinted by its path ids and body, and keys are scoped by operation and token.
struct Idempotency: Sendable {
    let database: Store

    struct Fingerprint<Body: Encodable>: Encodable {
        let path: [String: Int64]
        let body: Body
    }

    func run<Body: Encodable, Output: Codable & Sendable>(
        key: String?,
        operation: String,
        path: [String: Int64] = [:],
        body: Body,
        _ work: (Store.Connection) async throws -> Output
    ) async throws -> Output {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let hash = key == nil ? Data() : Data(SHA256.hash(data: try encoder.encode(Fingerprint(path: path, body: body))))
        let scope = operation + ":" + (Access.principal?.label ?? "public")
        return try await IdempotencyKeys().run(key: key, scope: scope, requestHash: hash, on: database) { db in
            let output = try await work(db)
            if let entity = Self.creates[operation], Access.principal != nil {
                let values = try Access.values(output)
                let id: Int64 = values["id"].flatMap { if case .number(let id) = $0 { Int64(id) } else { nil } } ?? 0
                try await Access.audit("create", entity, id: id, old: nil as Int?, new: output, on: db)
            }
            return output
        }
    }

    /// The staff changes among the POSTs, audited with what they made (a replay writes no row:
    /// its work does not run again).
    static let creates: [String: String] = [
        "createGoal": "goal", "createSchool": "school", "createInitiative": "initiative", "createSurvey": "survey",
        "duplicateSurvey": "survey", "createEvent": "event", "recordAttendance": "attendance", "createOpportunity": "opportunity",
    ]
}
