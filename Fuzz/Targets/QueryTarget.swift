import HummingbirdCore
import InputParsing

/// Request targets: Hummingbird's URI parsing of path and query, then the contract's bounds.
extension FuzzTarget {
    static let query = FuzzTarget(name: "query") { bytes in
        let uri = URI(String(decoding: bytes, as: UTF8.self))
        _ = uri.path
        for (name, value) in uri.queryParameters { _ = QueryRules.problem(name: name, value: value) }
    }
}
