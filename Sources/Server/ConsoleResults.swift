import Engagement
import Foundation
import Hummingbird

/// A survey's results in the console (issue 15): filters and a breakdown from the query string,
/// each question's figures with a server-rendered chart and the same numbers as a table,
/// families' response rate per school, and (admins) the anonymised responses and codebook as CSV.
struct ConsoleResults {
    static let dimensions = ResultsQuery.Dimension.allCases.map(\.rawValue)
    let console: ConsolePages
    var web: WebPages { console.web }

    func addRoutes(to pages: RouterGroup<ChorusContext>) {
        pages.get("surveys/:id/results") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await console.signedIn(request, "GET /console/surveys/{id}/results", context) { _ in try await page(request, id: id) }
        }
        pages.get("surveys/:id/export/:kind") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            let kind = try context.parameters.require("kind")
            return try await console.signedIn(request, "GET /console/surveys/{id}/export/{kind}", context) { _ in
                try await export(request, id: id, kind: kind)
            }
        }
    }

    /// The query from the query string; anything unusable is dropped rather than refused.
    func query(_ request: Request, id: Int64, language: PageLanguage) -> ResultsQuery {
        let parameters = request.uri.queryParameters
        func value(_ name: String) -> String? {
            guard let text = parameters[Substring(name)], !text.isEmpty else { return nil }
            return String(text)
        }
        let from = value("from").flatMap { LiaisonPages.parseTime($0 + "T00:00", in: language.timeZone) }
        let to = value("to").flatMap { LiaisonPages.parseTime($0 + "T00:00", in: language.timeZone) }
        let period = from.flatMap { from in to.map { from < $0 } } ?? false
        return ResultsQuery(
            surveyID: id,
            from: period ? from : nil,
            to: period ? to : nil,
            schoolID: value("school_id").flatMap { Int64($0) },
            group: value("group").flatMap(StakeholderGroup.init(rawValue:)),
            language: value("language").flatMap { language.district.languages.contains($0) ? $0 : nil },
            by: value("by").flatMap(ResultsQuery.Dimension.init(rawValue:))
        )
    }

    func page(_ request: Request, id: Int64) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let query = query(request, id: id, language: language)
        let (results, survey, invited): (SurveyResults, Survey, SurveyInvitations.Rate)
        do {
            (results, survey, invited) = try await web.database.snapshot { db in
                (
                    try await Results().results(query, on: db), try await Surveys().survey(id: id, on: db),
                    try await SurveyInvitations().rate(surveyID: id, on: db)
                )
            }
        } catch let error as EngagementError where error.code == .notFound || error.code == .invalid {
            return try await web.notFound(request, language)
        }
        let names = sliceNames(results, language)
        var view = try await web.formView(form: nil, errors: [:], language: language, anchors: [:])
        view["title"] = language.text(survey.title).text
        view["surveyID"] = id
        // Invitations' response rate (issue 16): counts of people, the whole survey's.
        // A handful who answered is a small cell like any other: not shown.
        let small = invited.responded > 0 && invited.responded < Disclosure.minimumCell
        view["invitations"] =
            invited.invited == 0
            ? false
            : t[text: "results_invitations"]
                .replacingOccurrences(of: "{responded}", with: small ? t[text: "suppressed"] : language.number(invited.responded))
                .replacingOccurrences(of: "{invited}", with: language.number(invited.invited))
                .replacingOccurrences(of: "{percent}", with: small ? "—" : String(format: "%.0f", invited.percent ?? 0))
        view["responses"] = results.responses.map(language.number) ?? t[text: "suppressed"]
        view["schools"] = (view["schools"] as? [[String: Any]] ?? []).map { school -> [String: Any] in
            var school = school
            school["selected"] = (school["id"] as? Int64) == query.schoolID
            return school
        }
        view["groups"] = StakeholderGroup.allCases.map {
            ["value": $0.rawValue, "label": t["group_\($0.rawValue)"] ?? $0.rawValue, "selected": $0 == query.group] as [String: Any]
        }
        view["languages"] = language.district.languages.map {
            ["value": $0, "label": web.strings.strings($0, fallback: $0)[text: "language_name"], "selected": $0 == query.language] as [String: Any]
        }
        view["dimensions"] = Self.dimensions.map {
            ["value": $0, "label": t[text: "results_by_\($0)"], "selected": $0 == query.by?.rawValue] as [String: Any]
        }
        let day = { (date: Date?) in date.map(language.clock.day(of:)) ?? "" }
        view["from"] = day(query.from)
        view["to"] = day(query.to)
        view["canExport"] = AccessTable.rules["GET /console/surveys/{id}/export/{kind}"]?.allows(Access.principal?.role) == true
        view["questions"] = results.questions.map { question(results, $0, survey: survey, names: names, language) }
        let schools = results.responseRates.schools
        view["ratesChart"] = Charts.bars(
            id: "chart-rates",
            title: t[text: "results_rates"],
            rows: schools.map { (label: $0.name, value: $0.per100Enrolled, flag: $0.belowHalfMedian) },
            scale: max(1, schools.compactMap(\.per100Enrolled).max() ?? 1),
            reference: results.responseRates.medianPer100Enrolled.map { (t[text: "median"], $0) },
            suppressed: t[text: "suppressed"],
            flagged: t[text: "below_half"]
        )
        view["flagged"] = schools.filter(\.belowHalfMedian).map(\.name).joined(separator: ", ")
        return try await web.page("console-results", view, request: request, language: language)
    }

    /// Slice key to the name shown: schools by name, groups and languages in the page's language.
    func sliceNames(_ results: SurveyResults, _ language: PageLanguage) -> [String: String] {
        var names: [String: String] = ["": language[text: "results_all"]]
        for slice in results.slices ?? [] {
            switch results.filters.by {
            case "group": names[slice.key] = language.strings["group_\(slice.key)"] ?? slice.key
            case "language": names[slice.key] = web.strings.strings(slice.key, fallback: slice.key)[text: "language_name"]
            default: names[slice.key] = slice.key == "0" ? language[text: "no_school"] : slice.name
            }
        }
        return names
    }

    /// The labels of a question's values in the page's language.
    static func labels(_ question: Question?, kind: String, values: [String], _ language: PageLanguage) -> [String] {
        values.map { value in
            switch kind {
            case "likert_5": return language[text: "likert_\(value)"]
            case "text": return language[text: value == "unscored" ? "results_unscored" : value]
            case "choice", "multi_choice":
                return question?.choices.first { $0.value == value }.map { language.text($0.label).text } ?? value
            default: return value
            }
        }
    }

    func question(
        _ results: SurveyResults,
        _ question: QuestionResults,
        survey: Survey,
        names: [String: String],
        _ language: PageLanguage
    ) -> [String: Any] {
        let t = language.strings
        let stored = survey.questions.first { $0.id == question.id }
        let values = question.overall.points.map(\.value)
        let labels = Self.labels(stored, kind: question.kind, values: values, language)
        let rows = [("", question.overall)] + (question.slices ?? []).map { ($0.key, $0.figures) }
        let suppressed = t[text: "suppressed"]
        let chartID = "chart-q\(question.id)"
        let title = language.text(question.prompt).text
        let chart: String
        switch question.kind {
        case "likert_5":
            chart = Charts.diverging(
                id: chartID,
                title: title,
                rows: rows.map { (label: names[$0.0] ?? $0.0, points: $0.1.points) },
                labels: labels,
                suppressed: suppressed
            )
        case "rating_0_10":
            chart = Charts.distribution(id: chartID, title: title, points: question.overall.points, suppressed: suppressed)
        default:
            chart = Charts.bars(
                id: chartID,
                title: title,
                rows: zip(labels, question.overall.points).map { (label: $0, value: $1.share.map { $0 * 100 }, flag: false) },
                scale: 100,
                reference: nil,
                suppressed: suppressed,
                flagged: ""
            )
        }
        func number(_ value: Double?, _ digits: Int = 2) -> String { value.map { String(format: "%.\(digits)f", $0) } ?? "" }
        return [
            "id": question.id, "position": question.position, "prompt": language.view(question.prompt),
            "kind": t[text: "kind_q_\(question.kind)"], "chart": chart, "labels": labels,
            "rows": rows.map { key, figures -> [String: Any] in
                var facts: [String] = []
                if let mean = figures.mean {
                    facts.append(
                        "\(t[text: "results_mean"]) \(number(mean)) (\(t[text: "results_ci"]) \(number(figures.meanLow))–\(number(figures.meanHigh)))"
                    )
                }
                if let top2 = figures.top2Share { facts.append("\(t[text: "results_top2"]) \(number(top2 * 100, 1))%") }
                if let nps = figures.nps { facts.append("NPS \(number(nps.score, 1)) ± \(number(nps.margin, 1))") }
                if let compound = figures.sentiment?.meanCompound { facts.append("\(t[text: "mean_sentiment"]) \(number(compound, 3))") }
                return [
                    "name": names[key] ?? key,
                    "answered": figures.answered.map(language.number) ?? suppressed,
                    "skipped": figures.skipped.map(language.number) ?? "–",
                    "cells": figures.points.map { point in
                        point.count.map { "\(language.number($0))\(point.share.map { " (\(Int(($0 * 100).rounded()))%)" } ?? "")" } ?? "<10"
                    },
                    "facts": facts.joined(separator: " · "),
                ]
            },
            "versions": (question.versions ?? []).map { version -> [String: Any] in
                [
                    "version": version.version, "prompt": language.view(version.prompt),
                    "answered": version.answered.map(language.number) ?? suppressed,
                ]
            },
            "hasVersions": !(question.versions ?? []).isEmpty,
            "trend": trend(question.previous, language) ?? false,
            "hasTopics": !((question.themes ?? []) + (question.keyphrases ?? [])).isEmpty,
            "topics": ((question.themes ?? []) + (question.keyphrases ?? [])).map {
                ["name": $0.name, "mentions": $0.mentions, "examples": $0.examples] as [String: Any]
            },
        ]
    }

    /// "Previous wave: 3.00 → 3.66 (+0.66, beyond the margin of error)".
    func trend(_ trend: Trend?, _ language: PageLanguage) -> String? {
        guard let trend, let previous = trend.previous else { return nil }
        let t = language.strings
        var text = "\(t[text: "results_previous_wave"]): \(String(format: "%.2f", previous))"
        if let current = trend.current, let change = trend.change {
            text += " → \(String(format: "%.2f", current)) (\(change >= 0 ? "+" : "")\(String(format: "%.2f", change))"
            if let beyond = trend.beyondMargin { text += ", " + t[text: beyond ? "results_beyond_margin" : "results_within_margin"] }
            text += ")"
        }
        return text
    }

    /// The anonymised responses or the codebook as a CSV download, in the audit log.
    func export(_ request: Request, id: Int64, kind: String) async throws -> Response {
        let language = try await web.pageLanguage(request)
        guard kind == "results" || kind == "codebook" else { return try await web.notFound(request, language) }
        let data: Data
        do {
            data = try await web.database.snapshot { db in
                let export = try await SurveyExport.load(surveyID: id, on: db)
                var rows: [[String]] = []
                if kind == "codebook" {
                    rows = try await export.codebook(on: db)
                } else {
                    try await export.responses(on: db) { rows.append($0) }
                }
                try await Access.audit("export", kind, id: id, old: nil, new: ["survey_id": id], on: db)
                return try SurveyExport.csv(header: kind == "codebook" ? SurveyExport.codebookHeader : export.header, rows: rows)
            }
        } catch let error as EngagementError where error.code == .notFound {
            return try await web.notFound(request, language)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"survey-\(id)-\(kind).csv\"",
                .cacheControl: "no-store",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
