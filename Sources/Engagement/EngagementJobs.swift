import Jobs
import Postgres

/// The job handlers of Chorus, in one place for `chorus serve`, `chorus work` and the tests.
public enum EngagementJobs {
    public static func handlers(database: PostgresClient, messages: MessageDelivery.Configuration = .held) throws -> [String: JobHandler] {
        [
            TextScoring.kind: try TextScoring(database: database).handler,
            RollupRebuild.kind: RollupRebuild(database: database).handler,
            Outbox.deliveryKind: MessageDelivery(database: database, configuration: messages).handler,
        ]
    }
}
