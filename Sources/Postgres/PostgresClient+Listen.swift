import NIOPosix

extension PostgresClient {
    /// Listens on `channels` over a dedicated connection (never a pooled one: a pooled connection
    /// goes back to other tasks, and PgBouncer in transaction mode cannot carry LISTEN), calling
    /// `onNotification` for each message until the task is cancelled. `onReady` runs once the
    /// LISTEN commands have taken effect, so a caller can NOTIFY without a race.
    public func listen(
        on channels: [String],
        onReady: @Sendable () async -> Void = {},
        onNotification: @Sendable (PostgresNotification) async throws -> Void
    ) async throws {
        var direct = configuration
        if let listenURL = direct.listenURL { direct.url = listenURL }
        let configuration = direct
        let handle = try await threadPool.runIfActive {
            try PostgresConnectionHandle(configuration: configuration, id: 0)
        }
        defer { handle.close() }
        for channel in channels {
            // LISTEN takes an identifier, not a parameter; quote_ident keeps it safe.
            let rows = try await threadPool.runIfActive {
                try handle.execute("SELECT quote_ident(\(channel))")
            }
            let quoted = try rows.one().decode(String.self, at: 0)
            _ = try await threadPool.runIfActive {
                try handle.execute(PostgresQuery(unsafeSQL: "LISTEN \(quoted)"))
            }
        }
        await onReady()
        while !Task.isCancelled {
            // Short waits so cancellation is noticed promptly without a second thread.
            let notifications = try await threadPool.runIfActive {
                try handle.waitForNotifications(timeoutMilliseconds: 200)
            }
            for notification in notifications {
                try await onNotification(notification)
            }
        }
    }

    /// Sends a notification (delivered when the surrounding transaction, if any, commits).
    public func notify(channel: String, payload: String = "") async throws {
        try await query("SELECT pg_notify(\(channel), \(payload))")
    }
}
