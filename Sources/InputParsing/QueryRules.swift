/// The contract's bounds on query parameters that the generated server does not check: every
/// `*_id` a whole number from 1 to 2^53 − 1 (what a JSON client can hold exactly), `limit` from
/// 1 to 200, `cursor` and `cluster` at most 100 characters.
public enum QueryRules {
    public static let largestID: Int64 = 9_007_199_254_740_991

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
