import ArgumentParser
import Engagement
import Foundation

/// The filters `chorus scorecard` and `chorus results` share, read on the district's clock (a
/// date is its local midnight), and their output format.
struct SliceOptions: ParsableArguments {
    @Option(help: "Start (YYYY-MM-DD or RFC 3339), with --to.") var from: String?
    @Option(help: "End, exclusive (YYYY-MM-DD or RFC 3339), with --from.") var to: String?
    @Option(help: "Only this school (id).") var school: Int64?
    @Option(help: "Only this cluster.") var cluster: String?
    @Option(help: "Only this stakeholder group.") var group: String?
    @Option(help: "table, json or csv.") var format = "table"

    func validate() throws {
        guard ["table", "json", "csv"].contains(format) else { throw ValidationError("--format must be table, json or csv") }
        _ = try stakeholder()
    }

    func stakeholder() throws -> StakeholderGroup? {
        try group.map { name in
            guard let parsed = StakeholderGroup(rawValue: name) else {
                throw ValidationError("--group must be one of \(StakeholderGroup.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return parsed
        }
    }

    /// `--from` and `--to`, or nil when neither is given.
    func range(_ clock: DistrictClock) throws -> (from: Date, to: Date)? {
        guard from != nil || to != nil else { return nil }
        guard let from = from.flatMap({ Self.date($0, clock) }), let to = to.flatMap({ Self.date($0, clock) }) else {
            throw ValidationError("give --from and --to as YYYY-MM-DD or RFC 3339 dates")
        }
        return (from, to)
    }

    static func date(_ text: String, _ clock: DistrictClock) -> Date? {
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = clock.timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.date(from: text)
    }
}
