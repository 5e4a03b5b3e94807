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
    /// Where LISTEN connects when `url` goes through PgBouncer in transaction mode, which cannot
    /// carry it: the PostgreSQL primary itself (`DATABASE_LISTEN_URL`). Nil: `url`.
    public var listenURL: String?

    public init(
        url: String = "",
        database: String? = nil,
        maximumConnections: Int = 10,
        acquireTimeout: Duration = .seconds(5),
        applicationName: String = "chorus",
        listenURL: String? = nil
    ) {
        self.listenURL = listenURL.flatMap { $0.isEmpty ? nil : $0 }
        self.url = url
        self.database = database
        self.maximumConnections = max(1, maximumConnections)
        self.acquireTimeout = acquireTimeout
        self.applicationName = applicationName
    }

    /// The session settings our text decoding relies on (ISO dates in UTC, exact floats, ISO
    /// intervals), set once a connection is open rather than sent as the startup parameter
    /// `options`, which PgBouncer refuses. Behind PgBouncer in transaction mode a later
    /// transaction may run on another server connection: PgBouncer re-applies `TimeZone` and
    /// `DateStyle` there (parameters it tracks), and every transaction repeats the untracked
    /// ones with `SET LOCAL` (`transactionSettings`), in BEGIN's own round trip.
    static let sessionSettings =
        "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 3; SET client_min_messages = warning"
    static let transactionSettings = "SET LOCAL IntervalStyle = 'iso_8601'; SET LOCAL extra_float_digits = 3"

    /// libpq keyword/value pairs. `dbname` carries the URL and is expanded by libpq
    /// (`expand_dbname`), so settings given here only fill in what the URL leaves out.
    var connectParameters: [(String, String)] {
        var parameters: [(String, String)] = []
        if !url.isEmpty { parameters.append(("dbname", url)) }
        // Only the first dbname is expanded as a URL; a later one is a plain database name.
        if let database { parameters.append(("dbname", database)) }
        parameters.append(("application_name", applicationName))
        parameters.append(("client_encoding", "UTF8"))
        return parameters
    }
}
