#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/8`, `::1/128`, or one address), for
/// the proxies whose `X-Forwarded-For` the server believes. Addresses are parsed by the C
/// library's `inet_pton`, so any text is safe to give.
public struct NetworkRange: Sendable, Equatable, CustomStringConvertible {
    let network: [UInt8]
    let prefixLength: Int

    /// Loopback only: a proxy on the same machine.
    public static let loopback: [NetworkRange] = [NetworkRange("127.0.0.0/8"), NetworkRange("::1/128")].compactMap { $0 }

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let address = Self.bytes(of: first) else { return nil }
        let width = address.count * 8
        var prefix = width
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...width).contains(given) else { return nil }
            prefix = given
        }
        self.network = Self.masked(address, prefix)
        self.prefixLength = prefix
    }

    /// A comma- or space-separated list; nil names the first entry that is not a network.
    public static func list(_ text: String) -> Result<[NetworkRange], InvalidNetwork> {
        var ranges: [NetworkRange] = []
        for entry in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
            guard let range = NetworkRange(entry) else { return .failure(InvalidNetwork(text: String(entry.prefix(60)))) }
            ranges.append(range)
        }
        return .success(ranges)
    }

    public struct InvalidNetwork: Error, CustomStringConvertible {
        public let text: String
        public var description: String { "\"\(text)\" is not an IPv4 or IPv6 address or CIDR network" }
    }

    public func contains(_ address: some StringProtocol) -> Bool {
        guard let bytes = Self.bytes(of: address), bytes.count == network.count else { return false }
        return Self.masked(bytes, prefixLength) == network
    }

    public var description: String {
        network.count == 4 ? network.map(String.init).joined(separator: ".") + "/\(prefixLength)" : "ipv6/\(prefixLength)"
    }

    static func masked(_ bytes: [UInt8], _ prefix: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bits = max(0, min(8, prefix - index * 8))
            return bits == 0 ? 0 : byte & ~UInt8(truncatingIfNeeded: (1 << (8 - bits)) - 1)
        }
    }

    /// The 4 or 16 bytes of an address; an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is IPv4.
    static func bytes(of text: some StringProtocol) -> [UInt8]? {
        let trimmed = String(text.filter { !$0.isWhitespace })
        guard !trimmed.isEmpty, trimmed.utf8.count <= 64, !trimmed.contains("\0") else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, trimmed, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, trimmed, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }
}
