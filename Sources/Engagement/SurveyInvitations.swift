import CSV
import Foundation
import Postgres

/// Invitations to a survey (issue 16, build 7): a contact list uploaded by staff, a unique
/// link a person, reminders to those who have not answered, and the response rate. For an
/// anonymous survey the invitation learns only *that* its person answered — a flag set in a
/// transaction of its own after the response's, with no time — and no column joins the two
/// (A4); for a named survey the response carries the person, as a named response does.
public struct SurveyInvitations: Sendable {
    public init() {}

    /// One row of an uploaded list: an email, optionally a name and a language, and consent.
    public struct Contact: Sendable, Equatable {
        public var line: Int
        public var name: String?
        public var email: String
        public var language: String?
    }

    /// The rows of a contact list: `email` and `consent` columns required, `name` and `language`
    /// optional (headers as the sign-in sheet's, and `language`/`idioma`). Rows without consent
    /// are left out, never stored; every bad row is reported by line and then nothing is.
    public static func contacts(csv text: String) throws -> (contacts: [Contact], withoutConsent: Int) {
        typealias LineError = SignInSheet.LineError
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true, trimFields: true)
        } catch {
            throw SignInSheet.Rejected(errors: [LineError(line: 1, message: "not a readable CSV file")])
        }
        let aliases = SignInSheet.aliases.merging(["language": "language", "idioma": "language", "langue": "language"]) { $1 }
        let header = (reader.headerRow ?? []).map { aliases[$0.lowercased().trimmingCharacters(in: .whitespaces)] }
        guard header.contains("email"), header.contains("consent") else {
            throw SignInSheet.Rejected(errors: [LineError(line: 1, message: "the header needs an email column and a consent column")])
        }
        var contacts: [Contact] = []
        var errors: [LineError] = []
        var withoutConsent = 0
        var line = 1
        while let fields = reader.next() {
            line += 1
            if fields.allSatisfy(\.isEmpty) { continue }
            let values = SignInSheet.values(fields, header: header)
            guard SignInSheet.consented(values["consent"]) else {
                withoutConsent += 1
                continue
            }
            let details = ContactDetails(name: values["name"], email: values["email"], consent: true)
            var validator = Validator()
            details.validate(&validator, field: "contact")
            if values["email"] == nil { validator.add("email", "is missing") }
            if let language = values["language"], language.wholeMatch(of: Events.languageCode) == nil {
                validator.add("language", "must be a language code such as es")
            }
            if let first = validator.errors.first {
                errors.append(LineError(line: line, message: "\(first.field): \(first.message)"))
                continue
            }
            contacts.append(Contact(line: line, name: values["name"], email: values["email"] ?? "", language: values["language"]))
            if contacts.count > 50_000 {
                throw SignInSheet.Rejected(errors: [LineError(line: line, message: "a list takes at most 50,000 contacts")])
            }
        }
        if let error = reader.error { errors.append(LineError(line: line + 1, message: "the CSV is malformed (\(error))")) }
        if !errors.isEmpty { throw SignInSheet.Rejected(errors: errors) }
        return (contacts, withoutConsent)
    }

    /// Invites each contact (once a survey: a second list adds only the new people), records their
    /// consent to be written to about surveys, and writes each invitation's message.
    /// Returns how many were newly invited.
    public func invite(
        surveyID: Int64,
        _ contacts: [Contact],
        defaultLanguage: String,
        actor: Audit.Actor,
        on db: PostgresConnection
    ) async throws -> Int {
        let survey = try await Surveys().survey(id: surveyID, on: db)
        if let closes = survey.closesAt, closes <= Date() { throw EngagementError.conflict("the survey is closed", field: "survey") }
        var invited = 0
        for contact in contacts {
            let details = ContactDetails(name: contact.name, email: contact.email, consent: true)
            let participant = try await Participants().participant(for: details, on: db)
            try await Consents().grant(
                participantID: participant,
                purpose: .surveys,
                contact: details,
                language: contact.language ?? defaultLanguage,
                on: db
            )
            guard
                let id = try await db.query(
                    """
                    INSERT INTO survey_invitations (survey_id, participant_id) VALUES (\(surveyID), \(participant))
                    ON CONFLICT (survey_id, participant_id) WHERE participant_id IS NOT NULL DO NOTHING RETURNING id
                    """
                ).first?.decode(Int64.self, at: 0)
            else { continue }
            invited += 1
            try await Outbox().enqueue(
                .init(
                    participantID: participant,
                    purpose: .surveys,
                    template: "survey_invitation",
                    data: ["invitation": "\(id)"],
                    dedupeKey: "invitation:\(id)"
                ),
                on: db
            )
        }
        try await Audit().record("invite", "survey", id: "\(surveyID)", new: ["invited": .number(Double(invited))], by: actor, on: db)
        return invited
    }

    /// A reminder to each invited person who has not answered (at most three), while the survey
    /// is open. Returns how many were written.
    public func remind(surveyID: Int64, actor: Audit.Actor, now: Date = Date(), on db: PostgresConnection) async throws -> Int {
        let survey = try await Surveys().survey(id: surveyID, on: db)
        guard survey.isOpen(at: now) else { throw EngagementError.conflict("the survey is not open", field: "survey") }
        let due = try await db.query(
            """
            UPDATE survey_invitations SET reminders = reminders + 1
            WHERE survey_id = \(surveyID) AND NOT responded AND participant_id IS NOT NULL AND reminders < 3
            RETURNING id, participant_id, reminders
            """
        ).map { try $0.decode((Int64, Int64, Int).self) }
        var written = 0
        for (id, participant, round) in due {
            written += try await Outbox().enqueue(
                .init(
                    participantID: participant,
                    purpose: .surveys,
                    template: "survey_reminder",
                    data: ["invitation": "\(id)"],
                    dedupeKey: "invitation:\(id):reminder:\(round)"
                ),
                on: db
            ).count
        }
        try await Audit().record("remind", "survey", id: "\(surveyID)", new: ["reminded": .number(Double(written))], by: actor, on: db)
        return written
    }

    public struct Invitation: Sendable, Equatable {
        public var id: Int64
        public var surveyID: Int64
        public var participantID: Int64?
        public var responded: Bool
    }

    public func invitation(id: Int64, on db: PostgresConnection) async throws -> Invitation? {
        try await db.query("SELECT id, survey_id, participant_id, responded FROM survey_invitations WHERE id = \(id)").first.map { row in
            let (id, survey, participant, responded) = try row.decode((Int64, Int64, Int64?, Bool).self)
            return Invitation(id: id, surveyID: survey, participantID: participant, responded: responded)
        }
    }

    /// Marks that the invitation's person answered: called in its own transaction after the
    /// response's committed, so not even the two rows' transaction ids match. Returns false when
    /// it was marked already.
    @discardableResult
    public func markResponded(id: Int64, on db: PostgresConnection) async throws -> Bool {
        try await db.query("UPDATE survey_invitations SET responded = true WHERE id = \(id) AND NOT responded").affectedRows == 1
    }

    public struct Rate: Sendable, Equatable, Codable {
        public var invited: Int
        public var responded: Int

        public init(invited: Int, responded: Int) {
            self.invited = invited
            self.responded = responded
        }

        /// Responded per 100 invited, nil with nobody invited.
        public var percent: Double? { invited == 0 ? nil : Double(responded) * 100 / Double(invited) }
    }

    public func rate(surveyID: Int64, on db: PostgresConnection) async throws -> Rate {
        let (invited, responded) = try await db.query(
            "SELECT count(*), count(*) FILTER (WHERE responded) FROM survey_invitations WHERE survey_id = \(surveyID)"
        ).one().decode((Int, Int).self)
        return Rate(invited: invited, responded: responded)
    }
}
