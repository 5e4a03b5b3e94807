import Foundation
import Logging
import Postgres
import ServiceLifecycle

/// In each worker process, once a minute: writes the volunteer reminders that are due, and, when
/// this process has a mail server, sends what was held while none was configured.
public struct MessageService: Service {
    let database: PostgresClient
    let configuration: MessageDelivery.Configuration
    let interval: Duration
    let logger: Logger

    public init(database: PostgresClient, configuration: MessageDelivery.Configuration, interval: Duration = .seconds(60), logger: Logger) {
        self.database = database
        self.configuration = configuration
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let (reminders, released) = try await database.withTransaction { db in
                        (
                            try await VolunteerReminders().schedule(on: db) + EventReminders().schedule(on: db)
                                + VolunteerHours().schedule(on: db),
                            try await Outbox().releaseHeld(channels: configuration.channels, on: db)
                        )
                    }
                    if reminders + released > 0 {
                        logger.info("messages written", metadata: ["messages.reminders": "\(reminders)", "messages.released": "\(released)"])
                    }
                } catch {
                    if !Task.isCancelled { logger.warning("message scheduling failed", metadata: ["error": "\(error)"]) }
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
