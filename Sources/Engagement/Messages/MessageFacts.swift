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
