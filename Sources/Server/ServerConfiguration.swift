import InputParsing

/// What `chorus serve` was asked for, read at the edge (flags, environment) and passed down.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Largest request body accepted (413 beyond it).
    public var maximumBodyBytes: Int
    /// Web form submissions per client address per minute, and the burst allowed at once.
    public var submissionsPerClientPerMinute: Double
    public var submissionBurst: Double
    /// Slow and abusive clients (issue 11): a connection must send a complete request head within
    /// `idleTimeout` of connecting or of its last response, and the rest of a request within
    /// `requestTimeout` of its head; request heads are bounded in size and field count.
    public var idleTimeout: Duration
    public var requestTimeout: Duration
    public var maximumHeaderBytes: Int
    public var maximumHeaderFields: Int
    /// How many times a supervisor (Deploy/run) restarted the server before this process, for
    /// `/metrics`; 0 when nobody says.
    public var restarts: Int
    /// Proxies whose `X-Forwarded-For` names the client (`CHORUS_TRUSTED_PROXIES`); loopback only
    /// by default, so a client elsewhere cannot pick its own address for the submission limits.
    public var trustedProxies: [NetworkRange]
    /// The address families reach the server at (`CHORUS_PUBLIC_URL`), for links printed on
    /// posters; nil: the address the page was asked for.
    public var publicURL: String?

    /// Seconds a read replica may be behind before scorecards are read on the primary
    /// (`CHORUS_READ_MAX_LAG`, default 30).
    public var maximumReplicaLag: Double
    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        maximumBodyBytes: Int = 64 * 1024,
        submissionsPerClientPerMinute: Double = 10,
        submissionBurst: Double = 5,
        idleTimeout: Duration = .seconds(15),
        requestTimeout: Duration = .seconds(60),
        maximumHeaderBytes: Int = 32 * 1024,
        maximumHeaderFields: Int = 100,
        restarts: Int = 0,
        trustedProxies: [NetworkRange] = NetworkRange.loopback,
        publicURL: String? = nil,
        maximumReplicaLag: Double = 30
    ) {
        self.maximumReplicaLag = maximumReplicaLag
        self.host = host
        self.port = port
        self.maximumBodyBytes = maximumBodyBytes
        self.submissionsPerClientPerMinute = submissionsPerClientPerMinute
        self.submissionBurst = submissionBurst
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumHeaderFields = maximumHeaderFields
        self.restarts = restarts
        self.trustedProxies = trustedProxies
        self.publicURL = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
    }
}
