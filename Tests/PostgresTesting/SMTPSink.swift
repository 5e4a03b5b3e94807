import Foundation

/// A real SMTP server on loopback (Deploy/smtp_sink.py, aiosmtpd from PyPI; Deploy/test installs
/// it and names its Python in `CHORUS_TEST_PYTHON`), and what it received, parsed.
public final class SMTPSink: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    let process: Process

    init(port: Int, directory: URL, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    public var url: String { "smtp://127.0.0.1:\(port)?tls=none" }

    /// Starts one; `delay` holds each message before accepting it (to kill a sender mid-send).
    public static func start(delayMilliseconds: Int = 0) async throws -> SMTPSink {
        let python = ProcessInfo.processInfo.environment["CHORUS_TEST_PYTHON"] ?? "/usr/bin/python3"
        let (port, directory, process) = try await startLoopback(
            python: python,
            script: "smtp_sink.py",
            ["--delay-ms", "\(delayMilliseconds)"],
            failure: "the SMTP sink did not start (is aiosmtpd installed for \(python)? Deploy/test installs it)"
        )
        return SMTPSink(port: port, directory: directory, process: process)
    }

    public func stop() {
        // SIGKILL: a sink must not outlive its test whatever signals it was started with.
        kill(process.processIdentifier, SIGKILL)
        try? FileManager.default.removeItem(at: directory)
    }

    /// Every message received so far, in order.
    public func received() throws -> [ReceivedMail] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return try files.filter { $0.hasSuffix(".eml") }.sorted().map { name in
            let base = directory.appendingPathComponent(String(name.dropLast(4)))
            let raw = try String(contentsOf: base.appendingPathExtension("eml"), encoding: .utf8)
            let recipients = (try? String(contentsOf: base.appendingPathExtension("rcpt"), encoding: .utf8)) ?? ""
            return ReceivedMail(raw: raw, recipients: recipients.split(separator: "\n").map(String.init))
        }
    }

    /// Waits until at least `count` messages arrived (or the time is up), then returns them all.
    public func wait(for count: Int, within limit: Duration = .seconds(30)) async throws -> [ReceivedMail] {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let mails = try received()
            if mails.count >= count { return mails }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try received()
    }
}

/// Runs one of Deploy's loopback servers with a fresh directory, until it says its port.
func startLoopback(python: String, script: String, _ arguments: [String], failure: String) async throws -> (Int, URL, Process) {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Deploy/" + script)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-sink-\(UUID().uuidString)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [path.path, directory.path] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let handle = output.fileHandleForReading
    let line = try await ChildProcess.offThePool { () -> String in
        var data = Data()
        while !data.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        return String(decoding: data, as: UTF8.self)
    }
    guard let port = line.split(separator: " ").last.flatMap({ Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) else {
        process.terminate()
        throw SinkError("\(failure): \(line)")
    }
    return (port, directory, process)
}

struct SinkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One received email: headers (unfolded, by lowercased name) and its decoded text and HTML.
public struct ReceivedMail: Sendable {
    public let raw: String
    public let recipients: [String]
    public let headers: [String: String]
    public let text: String
    public let html: String

    init(raw: String, recipients: [String]) {
        self.raw = raw
        self.recipients = recipients
        let normalized = raw.replacingOccurrences(of: "\r\n", with: "\n")
        let (head, body) = Self.split(normalized)
        headers = Self.headers(head)
        var parts: [String: String] = [:]
        if let boundary = headers["content-type"]?.components(separatedBy: "boundary=\"").dropFirst().first?.split(separator: "\"").first {
            for part in body.components(separatedBy: "--\(boundary)") {
                let (partHead, partBody) = Self.split(part.trimmingCharacters(in: .newlines))
                let type = Self.headers(partHead)["content-type"]?.split(separator: ";").first.map(String.init) ?? ""
                let decoded = Data(base64Encoded: partBody.filter { !$0.isWhitespace }).map { String(decoding: $0, as: UTF8.self) }
                if !type.isEmpty, let decoded { parts[type] = decoded }
            }
        }
        text = parts["text/plain"] ?? ""
        html = parts["text/html"] ?? ""
    }

    /// The subject, RFC 2047 encoded words decoded.
    public var subject: String {
        let value = headers["subject"] ?? ""
        guard value.contains("=?UTF-8?B?") else { return value }
        return value.split(separator: " ").map { word -> String in
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { return String(word) }
            let encoded = word.dropFirst(10).dropLast(2)
            return Data(base64Encoded: String(encoded)).map { String(decoding: $0, as: UTF8.self) } ?? String(word)
        }.joined()
    }

    /// The first link in the text that starts with `prefix`.
    public func link(startingWith prefix: String) -> String? {
        text.split(whereSeparator: \.isWhitespace).map(String.init).first { $0.hasPrefix(prefix) }
    }

    static func split(_ text: String) -> (String, String) {
        guard let range = text.range(of: "\n\n") else { return (text, "") }
        return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
    }

    static func headers(_ head: String) -> [String: String] {
        var headers: [String: String] = [:]
        var last: String?
        for line in head.split(separator: "\n", omittingEmptySubsequences: false) {
            if let first = line.first, first == " " || first == "\t", let name = last {
                headers[name, default: ""] += " " + line.trimmingCharacters(in: .whitespaces)
            } else if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                last = name
            }
        }
        return headers
    }
}
