/// The contract's bounds on query parameters that the generated server does not check: every
/// `*_id` a whole number from 1 to 2^53 − 1 (what a JSON client can hold exactly), `limit` from
/// 1 to 200, `cursor` and `cluster` at most 100 characters, `language` a language tag.
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

    /// Whether a parameter is an integer in the contract (`*_id`, `limit`).
    public static func isInteger(name: some StringProtocol) -> Bool { name.hasSuffix("_id") || name == "limit" }

    /// An integer written with a zero fraction (`12.0`, `3.00`) as its digits (`12`): JSON
    /// Schema counts 12.0 as an integer, so the contract's integer parameters take it. Nil for
    /// anything else (left for the ordinary checks).
    public static func wholeNumber(_ value: some StringProtocol) -> Substring? {
        let text = Substring(value)
        guard let dot = text.firstIndex(of: "."), dot != text.startIndex, text.count <= 40 else { return nil }
        let digits = text[..<dot]
        let fraction = text[text.index(after: dot)...]
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), !fraction.isEmpty, fraction.allSatisfy({ $0 == "0" }) else { return nil }
        return digits
    }

    /// A query with every integer parameter's zero fraction dropped (`limit=5.0` → `limit=5`),
    /// or nil when there is none.
    public static func wholeNumbers(inQuery query: some StringProtocol) -> String? {
        var changed = false
        let parts = Substring(query).split(separator: "&", omittingEmptySubsequences: false).map { part -> Substring in
            let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pair.count == 2, isInteger(name: pair[0]), let whole = wholeNumber(pair[1]) else { return part }
            changed = true
            return pair[0] + "=" + whole
        }
        return changed ? parts.joined(separator: "&") : nil
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
        } else if name == "language", !isLanguageTag(value) {
            return "must be a language tag such as en, es or zh-Hans"
        }
        return nil
    }

    /// The contract's `Language`: `^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`, at most 35 characters.
    public static func isLanguageTag(_ value: some StringProtocol) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard value.count <= 35, let first = parts.first, (2...3).contains(first.count),
            first.allSatisfy({ $0.isASCII && $0.isLowercase })
        else { return false }
        return parts.dropFirst().allSatisfy { part in (2...8).contains(part.count) && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }
}
