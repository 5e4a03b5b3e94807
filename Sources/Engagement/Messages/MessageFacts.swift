import Foundation
import Postgres

/// What a template says, read when the message goes rather than when it was written, so a moved
/// shift shows its new time, and a message whose cause is gone (a cancelled sign-up's reminder)
/// is not sent: `values` is nil then.
struct MessageFacts: Sendable {
    let district: DistrictSettings
    let language: String

    func values(
        _ template: String,
        _ data: [String: String],
        tokens: LinkTokens,
        base: String,
        on db: PostgresConnection
    ) async throws
        -> [String: String]?
    {
        if let rsvpID = data["rsvp"].flatMap({ Int64($0) }) { return try await rsvpValues(template, rsvpID, on: db) }
        if let caseID = data["case"].flatMap({ Int64($0) }) { return try await alertValues(caseID, base: base, on: db) }
        if let replyID = data["reply"].flatMap({ Int64($0) }) { return try await replyValues(replyID, base: base, on: db) }
        if let updateID = data["update"].flatMap({ Int64($0) }) { return try await updateValues(updateID, base: base, on: db) }
        if let milestoneID = data["milestone"].flatMap({ Int64($0) }) {
            return try await milestoneValues(milestoneID, percent: data["percent"], base: base, on: db)
        }
        if let invitationID = data["invitation"].flatMap({ Int64($0) }) {
            return try await invitationValues(invitationID, tokens: tokens, base: base, on: db)
        }
        guard let signupID = data["signup"].flatMap({ Int64($0) }) else { return nil }
        guard
            let row = try await db.query(
                """
                SELECT s.status::text, sh.starts_at, sh.ends_at, o.title, coalesce(sc.name, ''),
                       sh.cancelled_at IS NULL AND o.cancelled_at IS NULL
                FROM signups s JOIN volunteer_shifts sh ON sh.id = s.shift_id JOIN volunteer_opportunities o ON o.id = sh.opportunity_id
                LEFT JOIN schools sc ON sc.id = o.school_id
                WHERE s.id = \(signupID)
                """
            ).first
        else { return nil }
        let (status, startsAt, endsAt, title, place, running) = try row.decode((String, Date, Date, PostgresJSON<Translated>, String, Bool).self)
        let stillTrue: Bool
        switch template {
        case "signup_confirmed", "signup_promoted": stillTrue = status == "confirmed" && running
        case "signup_waitlisted": stillTrue = status == "waitlisted" && running
        case "signup_reminder": stillTrue = status == "confirmed" && running && startsAt > Date()
        case "signup_hours": stillTrue = ["confirmed", "attended"].contains(status) && running && endsAt <= Date()
        default: stillTrue = false
        }
        guard stillTrue else { return nil }
        return [
            "opportunity": title.value.text(language, fallback: district.defaultLanguage),
            "when": when(startsAt, endsAt),
            "where": place,
            template == "signup_hours" ? "hours_link" : "cancel_link":
                template == "signup_hours"
                ? "\(base)/volunteer/hours/\(tokens.token(.reportHours, signupID))?lang=\(language)"
                : "\(base)/volunteer/signups/\(tokens.token(.cancelSignup, signupID))?lang=\(language)",
        ]
    }

    /// A survey invitation or its reminder: not sent once the person answered or the survey closed.
    func invitationValues(_ id: Int64, tokens: LinkTokens, base: String, on db: PostgresConnection) async throws -> [String: String]? {
        guard
            let row = try await db.query(
                """
                SELECT s.id, s.title, s.closes_at FROM survey_invitations i JOIN surveys s ON s.id = i.survey_id
                WHERE i.id = \(id) AND NOT i.responded AND s.published_at IS NOT NULL AND s.opens_at <= now()
                    AND (s.closes_at IS NULL OR s.closes_at > now())
                """
            ).first
        else { return nil }
        let (surveyID, title, closesAt) = try row.decode((Int64, PostgresJSON<Translated>, Date?).self)
        return [
            "survey": title.value.text(language, fallback: district.defaultLanguage),
            "survey_link": "\(base)/surveys/\(surveyID)?invitation=\(tokens.token(.surveyInvitation, id))&lang=\(language)",
            "closes": closesAt.map { when($0, $0) } ?? "",
        ]
    }

    /// An RSVP's confirmation or reminder: not sent once the event was cancelled or has begun.
    func rsvpValues(_ template: String, _ rsvpID: Int64, on db: PostgresConnection) async throws -> [String: String]? {
        guard
            let row = try await db.query(
                """
                SELECT e.title, e.starts_at, e.ends_at, concat_ws(', ', sc.name, e.location), e.cancelled_at IS NULL, r.party_size
                FROM event_rsvps r JOIN events e ON e.id = r.event_id LEFT JOIN schools sc ON sc.id = e.school_id
                WHERE r.id = \(rsvpID)
                """
            ).first
        else { return nil }
        let (title, startsAt, endsAt, place, running, party) = try row.decode((PostgresJSON<Translated>, Date, Date, String, Bool, Int).self)
        guard running, ["rsvp_confirmed", "event_reminder"].contains(template), template == "rsvp_confirmed" || startsAt > Date() else {
            return nil
        }
        return [
            "event": title.value.text(language, fallback: district.defaultLanguage),
            "when": when(startsAt, endsAt),
            "where": place,
            "party": "\(party)",
        ]
    }

    /// A critical case's alert: its number, initiative and school, and the link to it. Never the
    /// comment's words (the email may be read on a phone in a meeting, or forwarded).
    func alertValues(_ caseID: Int64, base: String, on db: PostgresConnection) async throws -> [String: String]? {
        guard
            let row = try await db.query(
                """
                SELECT i.title, coalesce(sc.name, ''), c.opened_at FROM cases c JOIN initiatives i ON i.id = c.initiative_id
                LEFT JOIN schools sc ON sc.id = c.school_id WHERE c.id = \(caseID) AND c.critical
                """
            ).first
        else { return nil }
        let (title, school, opened) = try row.decode((PostgresJSON<Translated>, String, Date).self)
        return [
            "case": "\(caseID)", "initiative": title.value.text(language, fallback: district.defaultLanguage), "school": school,
            "when": when(opened, opened), "case_link": "\(base)/console/cases/\(caseID)",
        ]
    }

    /// A reply to a family's comment: the reply's words and the initiative it is about.
    func replyValues(_ replyID: Int64, base: String, on db: PostgresConnection) async throws -> [String: String]? {
        guard
            let row = try await db.query(
                """
                SELECT h.body, i.title, i.slug, c.opened_at FROM case_history h JOIN cases c ON c.id = h.case_id
                JOIN initiatives i ON i.id = c.initiative_id WHERE h.id = \(replyID) AND h.kind = 'reply'
                """
            ).first
        else { return nil }
        let (body, title, slug, opened) = try row.decode((String, PostgresJSON<Translated>, String, Date).self)
        return [
            "reply": body, "initiative": title.value.text(language, fallback: district.defaultLanguage), "written": day(opened),
            "initiative_link": "\(base)/initiatives/\(slug)?lang=\(language)",
        ]
    }

    /// An update posted on an initiative a person follows.
    func updateValues(_ updateID: Int64, base: String, on db: PostgresConnection) async throws -> [String: String]? {
        guard
            let row = try await db.query(
                """
                SELECT u.title, u.body, i.title, i.slug FROM initiative_updates u JOIN initiatives i ON i.id = u.initiative_id
                WHERE u.id = \(updateID)
                """
            ).first
        else { return nil }
        let (title, body, initiative, slug) = try row.decode(
            (PostgresJSON<Translated>, PostgresJSON<Translated>, PostgresJSON<Translated>, String).self
        )
        let fallback = district.defaultLanguage
        return [
            "update": title.value.text(language, fallback: fallback), "body": body.value.text(language, fallback: fallback),
            "initiative": initiative.value.text(language, fallback: fallback), "initiative_link": "\(base)/initiatives/\(slug)?lang=\(language)",
        ]
    }

    /// A milestone that moved: its new completion, and where to read more.
    func milestoneValues(_ milestoneID: Int64, percent: String?, base: String, on db: PostgresConnection) async throws -> [String: String]? {
        guard
            let row = try await db.query(
                """
                SELECT m.title, m.percent_complete, i.title, i.slug FROM initiative_milestones m JOIN initiatives i ON i.id = m.initiative_id
                WHERE m.id = \(milestoneID)
                """
            ).first
        else { return nil }
        let (title, current, initiative, slug) = try row.decode((PostgresJSON<Translated>, Int, PostgresJSON<Translated>, String).self)
        let fallback = district.defaultLanguage
        return [
            "milestone": title.value.text(language, fallback: fallback), "percent": "\(percent.flatMap(Int.init) ?? current)",
            "initiative": initiative.value.text(language, fallback: fallback), "initiative_link": "\(base)/initiatives/\(slug)?lang=\(language)",
        ]
    }

    /// "Tuesday, March 3, 2026" on the district's clock, in the language.
    func day(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: language.replacingOccurrences(of: "-", with: "_"))
        formatter.timeZone = TimeZone(identifier: district.timeZone) ?? .gmt
        formatter.dateStyle = .full
        formatter.timeStyle = .none
        return formatter.string(from: date)
    }

    /// "Tuesday, March 3, 2026, 9:00 AM – 11:00 AM" on the district's clock, in the language.
    func when(_ start: Date, _ end: Date) -> String {
        let formatter = DateIntervalFormatter()
        formatter.locale = Locale(identifier: language.replacingOccurrences(of: "-", with: "_"))
        formatter.timeZone = TimeZone(identifier: district.timeZone) ?? .gmt
        formatter.dateStyle = .full
        formatter.timeStyle = .short
        return formatter.string(from: start, to: end)
    }
}
