import Jobs
import Postgres

/// The job handlers of Chorus, in one place for `chorus serve`, `chorus work` and the tests.
public enum EngagementJobs {
    public static func handlers(database: PostgresClient) throws -> [String: JobHandler] {
        [
            TextScoring.kind: try TextScoring(database: database).handler,
            RollupRebuild.kind: RollupRebuild(database: database).handler,
        ]
    }
}
