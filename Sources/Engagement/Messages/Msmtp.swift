import Foundation

/// Email through Debian's `msmtp`, a kept SMTP client (TLS, STARTTLS, authentication), one
/// process per message with the message on its standard input. It runs under `setpriv
/// --pdeathsig KILL`, so a worker killed mid-send takes the unfinished SMTP session with it and
/// the server discards the half-sent message (docs/messages.md, exactly once).
public struct Msmtp: Sendable {
    public struct Settings: Sendable, Equatable {
        public enum Security: String, Sendable { case none, starttls, tls }
        public var host: String
        public var port: Int
        public var user: String?
        public var password: String?
        public var security: Security
        public var from: String
        public var replyTo: String?

        /// `smtp://[user[:password]@]host[:port][?tls=none|starttls|tls]` (STARTTLS by default).
        public init(url: String, from: String, replyTo: String?) throws {
            guard let parts = URLComponents(string: url), parts.scheme == "smtp", let host = parts.host, !host.isEmpty else {
                throw DeliveryFailure.permanent("CHORUS_SMTP_URL must look like smtp://user:password@host:587?tls=starttls")
            }
            let tls = parts.queryItems?.first(where: { $0.name == "tls" })?.value ?? "starttls"
            guard let security = Security(rawValue: tls) else {
                throw DeliveryFailure.permanent("CHORUS_SMTP_URL's tls must be none, starttls or tls")
            }
            self.host = host
            self.security = security
            self.port = parts.port ?? (security == .tls ? 465 : 587)
            self.user = parts.user?.removingPercentEncoding
            self.password = parts.password?.removingPercentEncoding
            self.from = from
            self.replyTo = replyTo
        }
    }

    public let settings: Settings
    public var executable = "/usr/bin/msmtp"

    public init(settings: Settings) {
        self.settings = settings
    }

    var arguments: [String] {
        var arguments = [
            "--pdeathsig", "KILL", "--", executable,
            "--host=\(settings.host)", "--port=\(settings.port)", "--timeout=30",
            "--from=\(Self.address(settings.from))",
            "--tls=\(settings.security == .none ? "off" : "on")",
            "--tls-starttls=\(settings.security == .starttls ? "on" : "off")",
        ]
        if let user = settings.user {
            // The password reaches msmtp through its environment, never its command line.
            arguments += ["--auth=on", "--user=\(user)", "--passwordeval=printf %s \"$CHORUS_SMTP_PASSWORD\""]
        } else {
            arguments.append("--auth=off")
        }
        return arguments
    }

    /// The bare address of `Name <address>`.
    static func address(_ mailbox: String) -> String {
        guard let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close else { return mailbox }
        return String(mailbox[mailbox.index(after: open)..<close])
    }

    public func send(_ mail: MailMessage) async throws {
        let arguments = arguments + ["--", Self.address(mail.to)]
        var environment = ["PATH": "/usr/bin:/bin"]
        if let password = settings.password { environment["CHORUS_SMTP_PASSWORD"] = password }
        let (status, errors) = try await Self.run("/usr/bin/setpriv", arguments, input: mail.bytes, environment: environment)
        switch status {
        case 0: return
        // sysexits: 65 (data: a 5xx refusal), 67 (no such user), 68 (no such host) are for good.
        case 65, 67, 68: throw DeliveryFailure.permanent(Self.summary(errors))
        default: throw DeliveryFailure.transient("msmtp exit \(status): \(Self.summary(errors))")
        }
    }

    /// msmtp's own words, without the recipient's address (no personal data in logs).
    static func summary(_ errors: String) -> String {
        let lines = errors.split(separator: "\n").filter { !$0.contains("@") || $0.contains("server message") }
        return lines.prefix(3).joined(separator: "; ").prefix(300).description
    }

    /// Runs the child on a thread of its own (it blocks, and `--pdeathsig` watches the thread
    /// that started the child). Input from a file rather than a pipe: a child that exits before
    /// reading would make writing to a pipe raise SIGPIPE in this process.
    static func run(_ path: String, _ arguments: [String], input: Data, environment: [String: String]) async throws -> (Int32, String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Result {
                        let base = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-msmtp-\(UUID().uuidString)")
                        let inputURL = base.appendingPathExtension("eml")
                        let errorsURL = base.appendingPathExtension("err")
                        // Owner-only: the message may carry the recipient's name.
                        _ = FileManager.default.createFile(atPath: inputURL.path, contents: input, attributes: [.posixPermissions: 0o600])
                        _ = FileManager.default.createFile(atPath: errorsURL.path, contents: nil, attributes: [.posixPermissions: 0o600])
                        defer {
                            try? FileManager.default.removeItem(at: inputURL)
                            try? FileManager.default.removeItem(at: errorsURL)
                        }
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: path)
                        process.arguments = arguments
                        process.environment = environment
                        process.standardInput = try FileHandle(forReadingFrom: inputURL)
                        process.standardOutput = FileHandle.nullDevice
                        process.standardError = try FileHandle(forWritingTo: errorsURL)
                        do {
                            try process.run()
                        } catch {
                            throw DeliveryFailure.transient("could not run \(path): \(error)")
                        }
                        process.waitUntilExit()
                        let errors = (try? String(contentsOf: errorsURL, encoding: .utf8)) ?? ""
                        return (process.terminationStatus, errors)
                    }
                )
            }.start()
        }
    }
}
