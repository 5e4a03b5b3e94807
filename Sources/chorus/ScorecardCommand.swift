import ArgumentParser
import Engagement
import Foundation
import Postgres

struct ScorecardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scorecard",
        abstract: "An initiative's engagement scorecard (or every initiative's, by index), as a table, JSON or CSV.",
        discussion: "JSON is byte for byte the body of GET /api/v1/scorecards/{id} for the same query."
    )

    @OptionGroup var database: DatabaseOptions
    @Argument(help: "The initiative's slug; omit it for every initiative.") var initiative: String?
    @Option(help: "week, month, quarter or year (the school year, default), containing today.") var period: String?
    @OptionGroup var slice: SliceOptions

    func run() async throws {
        try await database.withClient { client in
            // Periods and dates are on the district's clock (a date is its local midnight).
            let clock = try await client.withConnection { try await DistrictClock.current(on: $0) }
            let range = try slice.range(clock) ?? ScorecardQuery.period(named: period, clock: clock)
            var query = ScorecardQuery(
                initiativeID: nil,
                from: range.from,
                to: range.to,
                schoolID: slice.school,
                cluster: slice.cluster,
                group: try slice.stakeholder(),
                clock: clock
            )
            if let initiative {
                guard let row = try await client.query("SELECT id FROM initiatives WHERE slug = \(initiative)").first else {
                    throw ValidationError("no initiative with slug \(initiative)")
                }
                query.initiativeID = try row.decode(Int64.self, at: 0)
            }
            // The district list (headline numbers of every initiative) or one full scorecard.
            let (list, card): ([ScorecardSummary], Scorecard?)
            do {
                (list, card) = try await client.withTransaction(isolation: .repeatableRead) { db in
                    if query.initiativeID == nil { return (try await Scorecards().all(query, on: db), nil) }
                    let card = try await Scorecards().scorecard(query, on: db)
                    return ([ScorecardSummary(card)], card)
                }
            } catch let error as EngagementError {
                throw ValidationError(error.detail)
            }
            switch slice.format {
            case "json":
                let data = try card.map { try Scorecard.encoder.encode($0) } ?? Scorecard.encoder.encode(["items": list])
                print(String(decoding: data, as: UTF8.self))
            case "csv":
                print(ScorecardText.csv(list))
            default:
                print(ScorecardText.table(list, details: card, color: isatty(STDOUT_FILENO) == 1))
            }
        }
    }
}

/// Scorecards for people: a terminal table (coloured index when a TTY) and CSV for spreadsheets.
enum ScorecardText {
    static func number(_ value: Double?, _ digits: Int = 1) -> String {
        value.map { String(format: "%.\(digits)f", $0) } ?? "suppressed"
    }

    static func table(_ cards: [ScorecardSummary], details: Scorecard?, color: Bool) -> String {
        var lines: [String] = []
        for card in cards {
            // The CLI has no visitor language: English, else what the initiative is written in.
            let name = card.initiative.map { "\($0.title.text("en", fallback: "en")) (\($0.slug))" } ?? "District"
            let index = number(card.index.value)
            let painted =
                color ? (card.index.value >= 70 ? "\u{1B}[32m" : card.index.value >= 40 ? "\u{1B}[33m" : "\u{1B}[31m") + index + "\u{1B}[0m" : index
            let trend = card.index.previous.map { String(format: " (previous period %.1f)", $0) } ?? ""
            lines.append("\(name)\n  Engagement index \(painted) / 100\(trend)")
            for component in card.index.components {
                lines.append(
                    "    \(component.name.padding(toLength: 14, withPad: " ", startingAt: 0)) raw \(number(component.raw, 2).padding(toLength: 10, withPad: " ", startingAt: 0)) target \(number(component.target, 2).padding(toLength: 8, withPad: " ", startingAt: 0)) score \(number(component.normalized)) × \(component.weight)"
                )
            }
            lines.append(
                "  Reach \(card.reach.participants.map(String.init) ?? "suppressed") people, \(number(card.reach.per100Enrolled)) per 100 enrolled (\(card.reach.enrolled))"
            )
            lines.append("  Voice \(card.voice.responses) responses, \(card.voice.feedback) comments")
            lines.append(
                "  Participation \(card.participation.events) events, \(card.participation.attendance) attended, fill \(number(card.participation.fillRate.map { $0 * 100 }))%"
            )
            lines.append(
                "  Volunteering \(card.volunteering.signups) sign-ups (\(card.volunteering.waitlisted) waitlisted), \(number(card.volunteering.approvedHours)) hours approved"
            )
            let sentiment = card.sentiment
            lines.append(
                "  Sentiment mean \(number(sentiment.meanCompound, 3)) over \(sentiment.scored) comments; positive \(number(sentiment.positiveShare.map { $0 * 100 }))%, negative \(number(sentiment.negativeShare.map { $0 * 100 }))%"
            )
            if let details {
                if !details.themes.isEmpty { lines.append("  Themes " + details.themes.map { "\($0.name) \($0.count)" }.joined(separator: ", ")) }
                let flagged = details.equity.schools.filter { $0.belowHalfMedian == true }.map(\.code)
                lines.append(
                    "  Equity median \(number(details.equity.districtMedianPer100)) per 100; below half: \(flagged.isEmpty ? "none" : flagged.joined(separator: ", "))"
                )
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    static func csv(_ cards: [ScorecardSummary]) -> String {
        var rows = [
            "initiative,index,previous_index,participants,per_100_enrolled,responses,feedback,events,attendance,fill_rate,signups,approved_hours,mean_compound"
        ]
        for card in cards {
            let fields: [String] = [
                card.initiative?.slug ?? "district", number(card.index.value, 4), number(card.index.previous, 4),
                card.reach.participants.map(String.init) ?? "suppressed", number(card.reach.per100Enrolled, 4),
                String(card.voice.responses), String(card.voice.feedback), String(card.participation.events),
                String(card.participation.attendance), number(card.participation.fillRate, 4), String(card.volunteering.signups),
                number(card.volunteering.approvedHours, 2), number(card.sentiment.meanCompound, 4),
            ]
            rows.append(fields.joined(separator: ","))
        }
        return rows.joined(separator: "\n")
    }
}
