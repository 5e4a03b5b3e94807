import Engagement
import Foundation
import Hummingbird

/// The pages' strings, one JSON file per language (Web/strings/TAG.json, keys to texts; keys
/// starting with `_` are notes, not strings). A district edits or adds languages in a folder of
/// its own, `CHORUS_STRINGS_DIR`, whose files replace or extend the shipped ones key by key.
struct WebStrings: Sendable {
    let table: [String: [String: String]]

    init(overrides: String? = ProcessInfo.processInfo.environment["CHORUS_STRINGS_DIR"]) throws {
        guard let shipped = Bundle.module.url(forResource: "Web/strings", withExtension: nil) else {
            throw HTTPError(.internalServerError, message: "Web/strings is missing from the bundle")
        }
        var table = try Self.load(shipped)
        if let overrides, !overrides.isEmpty {
            for (language, strings) in try Self.load(URL(fileURLWithPath: overrides)) {
                table[language, default: [:]].merge(strings) { $1 }
            }
        }
        self.table = table
    }

    init(table: [String: [String: String]]) {
        self.table = table
    }

    static func load(_ folder: URL) throws -> [String: [String: String]] {
        var table: [String: [String: String]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".json") {
            let strings = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: folder.appendingPathComponent(file)))
            table[String(file.dropLast(".json".count))] = strings.filter { !$0.key.hasPrefix("_") }
        }
        return table
    }

    var languages: [String] { table.keys.sorted() }

    /// Every message's subject and body (MessageStrings).
    static let messageKeys: [String] =
        MessageTexts.templates.flatMap { ["message_\($0)_subject", "message_\($0)_body", "message_name_\($0)"] }
        + ConsolePages.messageStates.map { "message_state_\($0)" }

    /// The keys the Swift code looks up (the templates' `{{t.key}}` are read from the templates):
    /// StringsCheck counts a key as used when it is here or in a template. StringsCheckTests
    /// finds any key named in the page code and missing here.
    static let codeKeys: Set<String> = Set(
        messageKeys + [
            "unsubscribe_title", "unsubscribe_text", "unsubscribe_button", "unsubscribed_title", "unsubscribed_text", "cancel_signup_title",
            "cancel_signup_text", "cancel_signup_button", "signup_cancelled_title", "signup_cancelled_text", "signup_not_cancelled_title",
            "signup_not_cancelled_text", "messages", "messages_held",
            // Events (EventPages).
            "rsvp_thanks", "event_full", "event_closed", "error_party_size", "checkin_thanks", "checkin_closed_title",
            "checkin_closed_text", "poster_scan",
            // Survey invitations (ConsoleInvitations, WebPages).
            "invitations_title", "invitations_sent", "invitations_reminded", "results_invitations", "invitation_used_title",
            "invitation_used_text",
            // Volunteer hours (HoursPages).
            "hours_title", "hours_thanks_title", "hours_thanks_text", "hours_closed_title", "hours_closed_text", "error_hours",
            "console_hours", "console_hours_saved",
            "attendance", "below_half", "error_comment", "error_contact", "error_event", "error_group", "error_initiative",
            "error_invalid", "error_required", "error_school", "error_session", "error_token", "forbidden_text",
            "forbidden_title", "imported", "language_name", "median", "negative", "neutral", "not_found_text", "not_found_title",
            "positive", "rating_high", "rating_low", "saved", "signed_up", "suppressed", "thanks_text", "too_many_text",
            "too_many_title", "waitlisted", "weight", "components", "dashboard", "equity", "events", "give_feedback",
            "login_title", "responses", "comments", "sentiment", "site_title", "thanks_title", "weekly",
            // The console (ConsolePages).
            "console", "console_sign_in", "console_error_code", "console_error_sign_in", "console_error_throttled",
            "console_forbidden", "console_link_title", "console_link_expired", "console_choose_password", "console_error_confirm",
            "console_error_password", "console_accounts", "console_audit", "console_active", "console_invited", "console_inactive",
            "console_error_role", "console_error_name", "console_error_taken", "console_error_email", "console_error_last_admin",
        ]
            + StakeholderGroup.allCases.map { "group_\($0.rawValue)" }
            + LiaisonPages.eventKinds.map { "kind_\($0)" }
            + DashboardPages.periods.map { "period_\($0)" }
            + EngagementIndex.Component.allCases.map { "component_\($0.rawValue)" }
            + (1...5).map { "likert_\($0)" }
            + StaffRole.allCases.map { "role_\($0.rawValue)" }
            // The console's initiatives and survey builder (ConsoleInitiatives, ConsoleSurveys).
            + [
                "console_initiatives", "console_surveys", "saved", "console_error_title", "console_error_prompt",
                "console_error_time", "console_error_check", "console_error_changed", "console_error_conflict", "console_choice",
                "survey_draft", "survey_closed", "survey_scheduled", "survey_open", "my_account", "reach_all", "never",
                "console_error_token_name", "console_error_assign", "district_settings", "events", "schools", "opportunities", "goals",
                "target_reach", "target_voice",
                "target_participation", "target_hours",
            ]
            + QuestionKind.allCases.map { "kind_q_\($0.rawValue)" }
            // Survey results (ConsoleResults).
            + ResultsQuery.Dimension.allCases.map { "results_by_\($0.rawValue)" }
            + [
                "results_all", "results_unscored", "results_mean", "results_ci", "results_top2", "results_rates", "no_school",
                "results_previous_wave", "results_beyond_margin", "results_within_margin", "mean_sentiment",
            ]
            + ConsolePages.statuses.map { "status_\($0)" }
            + ["elementary", "middle", "high", "k8", "other"].map { "level_\($0)" }
            // The inbox and routing (ConsoleCases, ConsoleRouting).
            + Cases.Status.allCases.map { "case_status_\($0.rawValue)" }
            + ["opened", "routed", "assigned", "status", "note", "reply", "critical"].map { "case_history_\($0)" }
            + ["negative", "neutral", "positive"].map { "case_sentiment_\($0)" }
            + [
                "console_cases", "console_case", "console_routing", "case_unassigned", "case_any", "case_status_open", "case_error_none_chosen",
                "case_saved", "case_source_feedback", "case_source_answer", "case_system", "case_replied", "case_replied_emailed",
                "routing_cluster", "routing_keyword", "initiative", "school", "case_theme", "public_fewer_than", "report_title",
            ]
            + ["slug", "title", "description", "starts_on", "ends_on", "owner_account_id", "goal_id"].map {
                "console_error_\(ConsolePages.messageKey($0))"
            }
    )

    /// The counted phrases (PageLanguage.plural): each needs a form per CLDR category.
    static let pluralKeys: Set<String> = ["places_left", "more_dates", "days_old"]

    /// The strings of `language`, each missing key taken from `fallback`, then English.
    func strings(_ language: String, fallback: String) -> [String: String] {
        var strings = table["en"] ?? [:]
        strings.merge(table[fallback] ?? [:]) { $1 }
        strings.merge(table[language] ?? [:]) { $1 }
        return strings
    }

    subscript(_ language: String) -> [String: String] { strings(language, fallback: "en") }

    /// The cookie that keeps a visitor's choice of language across pages.
    static let cookie = "chorus_lang"

    /// The language of a request among `offered` (the district's, in its order): `?lang=`, then
    /// the language cookie, then the best `Accept-Language` match (by tag, then by language:
    /// `es-MX` finds `es`, `zh-CN` finds `zh-Hans`), else `fallback`.
    static func language(of request: Request, offered: [String], fallback: String) -> String {
        if let asked = request.uri.queryParameters["lang"].map(String.init), let found = match(asked, in: offered) { return found }
        if let kept = PageCookie.value(cookie, in: request), let found = match(kept, in: offered) { return found }
        let accepted = (request.headers[.acceptLanguage] ?? "").split(separator: ",").prefix(40).enumerated().compactMap {
            index,
            part -> (String, Double, Int)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first, !tag.isEmpty, tag.count <= 35 else { return nil }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (tag, q, index)
        }
        for (tag, q, _) in accepted.filter({ $0.1 > 0 }).sorted(by: { $0.1 != $1.1 ? $0.1 > $1.1 : $0.2 < $1.2 }) where q > 0 {
            if let found = match(tag, in: offered) { return found }
        }
        return fallback
    }

    /// `tag` among `offered`: the same tag (any case), else the same language with the script
    /// Chinese regions imply, else the same language.
    static func match(_ tag: String, in offered: [String]) -> String? {
        let lower = tag.lowercased()
        if let same = offered.first(where: { $0.lowercased() == lower }) { return same }
        let parts = lower.split(separator: "-").map(String.init)
        guard let primary = parts.first else { return nil }
        if primary == "zh" {
            let traditional = parts.contains { ["hant", "tw", "hk", "mo"].contains($0) }
            if let script = offered.first(where: { $0.lowercased() == (traditional ? "zh-hant" : "zh-hans") }) { return script }
        }
        return offered.first { PageLanguage.primary($0) == primary }
    }
}

extension [String: String] {
    /// A page string by key: a missing one shows its key rather than stopping the page.
    subscript(text key: String) -> String { self[key] ?? key }
}
