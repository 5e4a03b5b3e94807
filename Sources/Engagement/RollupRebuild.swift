import Jobs
import Postgres

/// The `rebuild-rollups` job: every rollup counted again from the records, in one transaction
/// (after the district's time zone or school-year start changed). One pending at a time: a
/// second change while one waits is served by it. `chorus jobs` shows its progress.
public struct RollupRebuild: Sendable {
    public static let kind = "rebuild-rollups"

    struct Payload: Codable, Sendable {}

    let database: PostgresClient

    public init(database: PostgresClient) {
        self.database = database
    }

    public static func enqueue(on db: PostgresConnection) async throws {
        try await JobQueue().push(kind: kind, payload: Payload(), options: .init(uniqueKey: kind), on: db)
    }

    public var handler: JobHandler {
        { _ in try await database.withTransaction { try await Rollups.rebuild(on: $0) } }
    }
}
