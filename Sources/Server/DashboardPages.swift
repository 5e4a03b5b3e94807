import Engagement
import Foundation
import Hummingbird

/// The administrators' dashboard (liaisons may read it too, as they may read scorecards): the
/// district list and each initiative's scorecard with server-rendered SVG charts, filtered by
/// period, school and group; printable. Signed in through the liaison pages' session.
struct DashboardPages: Sendable {
    /// The named periods the dashboard offers (ScorecardQuery.period(named:)).
    static let periods = ["week", "month", "quarter", "year"]
    let liaison: LiaisonPages
    var web: WebPages { liaison.web }

    func addRoutes(to router: Router<ChorusContext>) {
        let pages = router.group("dashboard").add(middleware: PageHeadersMiddleware())
        pages.get("/") { request, _ in try await liaison.signedIn(request) { _ in try await list(request) } }
        pages.get("initiatives/:id") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await liaison.signedIn(request) { _ in try await card(request, id: id) }
        }
    }

    /// The filters from the query string; anything unusable is dropped rather than refused.
    func query(_ request: Request, initiative: Int64?) async throws -> (ScorecardQuery, period: String) {
        let parameters = request.uri.queryParameters
        let period = parameters["period"].map(String.init).flatMap { Self.periods.contains($0) ? $0 : nil } ?? "year"
        let clock = try await web.database.connection { try await DistrictClock.current(on: $0) }
        let range = try ScorecardQuery.period(named: period, clock: clock)
        return (
            ScorecardQuery(
                initiativeID: initiative,
                from: range.from,
                to: range.to,
                schoolID: parameters["school_id"].flatMap { Int64(String($0)) },
                group: parameters["group"].flatMap { StakeholderGroup(rawValue: String($0)) },
                clock: clock
            ),
            period
        )
    }

    func list(_ request: Request) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let (scorecardQuery, period) = try await query(request, initiative: nil)
        let summaries: [ScorecardSummary]
        do {
            summaries = try await web.database.snapshot { try await Scorecards().all(scorecardQuery, on: $0) }
        } catch let error as EngagementError where error.code == .invalid {
            return try await web.notFound(request, language)
        }
        var view = try await filterView(request, language: language, query: scorecardQuery, period: period, action: "/dashboard")
        view["title"] = t[text: "dashboard"]
        view["rows"] = summaries.map { summary -> [String: Any] in
            [
                "id": summary.initiative?.id ?? 0, "title": language.view(summary.initiative?.title ?? Translated()),
                "index": Charts.number(summary.index.value),
                "previous": summary.index.previous.map(Charts.number) ?? false,
                "reach": summary.reach.per100Enrolled.map(Charts.number) ?? t[text: "suppressed"], "responses": summary.voice.responses,
                "comments": summary.voice.feedback,
                "sentiment": summary.sentiment.meanCompound.map { String(format: "%.2f", $0) } ?? t[text: "suppressed"],
            ]
        }
        return try await web.page("dashboard", view, request: request, language: language, form: true)
    }

    func card(_ request: Request, id: Int64) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let (scorecardQuery, period) = try await query(request, initiative: id)
        let (card, examples): (Scorecard, [Int64: String])
        do {
            (card, examples) = try await web.database.snapshot { db in
                let card = try await Scorecards().scorecard(scorecardQuery, on: db)
                return (card, try await Submissions().comments(ids: card.themes.flatMap(\.exampleFeedbackIDs), on: db))
            }
        } catch let error as EngagementError where error.code == .notFound || error.code == .invalid {
            return try await web.notFound(request, language)
        }
        var view = try await filterView(request, language: language, query: scorecardQuery, period: period, action: "/dashboard/initiatives/\(id)")
        view["title"] = card.initiative.map { language.text($0.title).text } ?? t[text: "dashboard"]
        view["index"] = Charts.number(card.index.value)
        view["previous"] = card.index.previous.map(Charts.number) ?? false
        view["componentsChart"] = Charts.bars(
            id: "components",
            title: t[text: "components"],
            rows: card.index.components.map {
                (label: "\(t["component_" + $0.name] ?? $0.name) (\(t[text: "weight"]) \(Int($0.weight * 100))%)", value: $0.normalized, flag: false)
            },
            scale: 100,
            reference: nil,
            suppressed: t[text: "suppressed"],
            flagged: t[text: "below_half"]
        )
        view["weeklyChart"] = Charts.weekly(
            card.weekly,
            labels: (t[text: "responses"], t[text: "comments"], t[text: "attendance"]),
            title: t[text: "weekly"]
        )
        view["sentimentChart"] = Charts.sentiment(
            [card.sentiment.overall] + card.sentiment.byLanguage,
            labels: (t[text: "positive"], t[text: "neutral"], t[text: "negative"]),
            suppressed: t[text: "suppressed"],
            title: t[text: "sentiment"]
        )
        let schools = card.equity.schools
        view["equityChart"] = Charts.bars(
            id: "equity",
            title: t[text: "equity"],
            rows: schools.map { (label: $0.name, value: $0.per100Enrolled, flag: $0.belowHalfMedian == true) },
            scale: max(1, schools.compactMap(\.per100Enrolled).max() ?? 1),
            reference: card.equity.districtMedianPer100.map { (t[text: "median"], $0) },
            suppressed: t[text: "suppressed"],
            flagged: t[text: "below_half"]
        )
        view["themes"] = card.themes.map { theme -> [String: Any] in
            let texts = theme.exampleFeedbackIDs.compactMap { examples[$0] }
            return ["name": theme.name, "count": theme.count, "previousCount": theme.previousCount, "examples": texts, "hasExamples": !texts.isEmpty]
        }
        view["surveys"] = card.surveys.map { survey -> [String: Any] in
            [
                "id": survey.id, "title": language.view(survey.title),
                "state": t[text: ConsolePages.state(opensAt: survey.opensAt, closesAt: survey.closesAt)],
            ]
        }
        view["hasSurveys"] = !card.surveys.isEmpty
        return try await web.page("initiative", view, request: request, language: language, form: true)
    }

    func filterView(_ request: Request, language: PageLanguage, query: ScorecardQuery, period: String, action: String) async throws -> [String: Any] {
        let t = language.strings
        var view = try await web.formView(form: nil, errors: [:], language: language, anchors: [:])
        view["filterAction"] = action
        view["periods"] = Self.periods.map {
            ["value": $0, "label": t[text: "period_\($0)"], "selected": $0 == period] as [String: Any]
        }
        view["schools"] = (view["schools"] as? [[String: Any]] ?? []).map { school -> [String: Any] in
            var school = school
            school["selected"] = (school["id"] as? Int64) == query.schoolID
            return school
        }
        view["groups"] = StakeholderGroup.allCases.map { group -> [String: Any] in
            ["value": group.rawValue, "label": t["group_\(group.rawValue)"] ?? group.rawValue, "selected": group == query.group]
        }
        view["periodLabel"] = "\(t[text: "period_\(period)"]): \(language.when(query.from, zone: true)) – \(language.when(query.to, zone: true))"
        var items = URLComponents()
        items.queryItems =
            [URLQueryItem(name: "lang", value: language.code), URLQueryItem(name: "period", value: period)]
            + (query.schoolID.map { [URLQueryItem(name: "school_id", value: String($0))] } ?? [])
            + (query.group.map { [URLQueryItem(name: "group", value: $0.rawValue)] } ?? [])
        view["query"] = items.percentEncodedQuery ?? ""
        return view
    }
}
