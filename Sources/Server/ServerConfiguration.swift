/// What `chorus serve` was asked for, read at the edge (flags, environment) and passed down.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Largest request body accepted (413 beyond it).
    public var maximumBodyBytes: Int
    /// Web form submissions per client address per minute, and the burst allowed at once.
    public var submissionsPerClientPerMinute: Double
    public var submissionBurst: Double

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maximumBodyBytes: Int = 64 * 1024, submissionsPerClientPerMinute: Double = 10,
        submissionBurst: Double = 5
    ) {
        self.host = host
        self.port = port
        self.maximumBodyBytes = maximumBodyBytes
        self.submissionsPerClientPerMinute = submissionsPerClientPerMinute
        self.submissionBurst = submissionBurst
    }
}
