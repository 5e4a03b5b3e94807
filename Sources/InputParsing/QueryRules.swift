/// The contract's bounds on query parameters that the generated server does not check: every
/// `*_id` a whole number from 1 to 2^53 − 1 (what a JSON client can hold exactly), `limit` from
/// 1 to 200, `cursor` and `cluster` at most 100 characters.
public enum QueryRules {
    public static let largestID: Int64 = 9_007_199_254_740_991

    /// A parameter written without `=` (`?period&limit=5`), or an empty one (`?&limit=5`): the
    /// contract's form style needs `name=value`, and the generated decoder would otherwise fail
    /// the request with a 500. Returns the first such name ("query" for an empty one).
    public static func valuelessParameter(inQuery query: some StringProtocol) -> String? {
        guard !query.isEmpty else { return nil }
        return query.split(separator: "&", omittingEmptySubsequences: false).first { !$0.contains("=") }.map {
            $0.isEmpty ? "query" : String(decoding: Array($0.utf8).prefix(100), as: UTF8.self)
        }
    }

    /// What is wrong with one parameter, said as the end of "«name» …", or nil when it is fine.
    public static func problem(name: some StringProtocol, value: some StringProtocol) -> String? {
        if name.hasSuffix("_id") {
            guard let id = Int64(value), (1...largestID).contains(id) else { return "must be a whole number from 1 to \(largestID)" }
        } else if name == "limit" {
            guard let limit = Int(value), (1...200).contains(limit) else { return "must be a whole number from 1 to 200" }
        } else if name == "cursor", value.count > 100 {
            return "is not a cursor from this list"
        } else if name == "cluster", value.count > 100 {
            return "must be at most 100 characters"
        }
        return nil
    }
}
