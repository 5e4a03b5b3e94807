/// How to reach PostgreSQL and how large the pool may grow.
public struct PostgresConfiguration: Sendable {
    /// A `postgres://` URL or a libpq `key=value` string. Empty means "use libpq's `PG*`
    /// environment variables and defaults", exactly as `psql` would.
    public var url: String
    public var maximumConnections: Int
    /// How long `acquire` waits for a free connection before failing with `.acquireTimeout`.
    public var acquireTimeout: Duration
    /// Shown in `pg_stat_activity.application_name`.
    public var applicationName: String
    /// Overrides the database named in `url` (tests clone databases from one server URL).
    public var database: String?

    public init(
        url: String = "",
        database: String? = nil,
        maximumConnections: Int = 10,
        acquireTimeout: Duration = .seconds(5),
        applicationName: String = "chorus"
    ) {
        self.url = url
        self.database = database
        self.maximumConnections = max(1, maximumConnections)
        self.acquireTimeout = acquireTimeout
        self.applicationName = applicationName
    }

    /// libpq keyword/value pairs. `dbname` carries the URL and is expanded by libpq
    /// (`expand_dbname`), so settings given here only fill in what the URL leaves out, except the
    /// session settings in `options`, which our text decoding relies on (ISO dates in UTC).
    var connectParameters: [(String, String)] {
        var parameters: [(String, String)] = []
        if !url.isEmpty { parameters.append(("dbname", url)) }
        // Only the first dbname is expanded as a URL; a later one is a plain database name.
        if let database { parameters.append(("dbname", database)) }
        parameters.append(("application_name", applicationName))
        parameters.append(("client_encoding", "UTF8"))
        parameters.append(
            ("options", "-c TimeZone=UTC -c DateStyle=ISO -c IntervalStyle=iso_8601 -c extra_float_digits=3 -c client_min_messages=warning")
        )
        return parameters
    }
}
