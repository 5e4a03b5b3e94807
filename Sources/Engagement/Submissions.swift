import Foundation
import Postgres
import Scoring

/// Survey responses and free-text feedback from the public. Text is stored with scoring state
/// `pending`; the job queue scores it.
public struct Submissions: Sendable {
    let participants = Participants()

    public init() {}

    public struct ResponseFields: Sendable {
        /// Required; optional here so a form without one is told so with the other errors.
        public var group: StakeholderGroup?
        public var schoolID: Int64?
        public var language: String?
        public var answers: [Answer]
        public var contact: ContactDetails?
        /// The person an invitation was for: kept on the response of a named survey only.
        public var invitedParticipantID: Int64?

        public init(
            group: StakeholderGroup?,
            schoolID: Int64?,
            language: String?,
            answers: [Answer],
            contact: ContactDetails?,
            invitedParticipantID: Int64? = nil
        ) {
            self.group = group
            self.schoolID = schoolID
            self.language = language
            self.answers = answers
            self.contact = contact
            self.invitedParticipantID = invitedParticipantID
        }
    }

    /// Loads the survey, then `submitResponse(to:)`.
    public func submitResponse(
        surveyID: Int64,
        _ fields: ResponseFields,
        now: Date = Date(),
        on db: PostgresConnection
    )
        async throws -> Receipt
    {
        try await submitResponse(to: try await Surveys().survey(id: surveyID, on: db), fields, now: now, on: db)
    }

    /// Validates every answer against its question, once, with typed field errors (the question
    /// each concerns); refuses closed surveys (409). A page that has loaded the survey to show it
    /// passes it here rather than have it read again.
    public func submitResponse(
        to survey: Survey,
        _ fields: ResponseFields,
        now: Date = Date(),
        on db: PostgresConnection
    )
        async throws -> Receipt
    {
        let surveyID = survey.id
        guard survey.isOpen(at: now) else { throw EngagementError.conflict("the survey is not open for responses") }
        var validator = Validator()
        if fields.group == nil { validator.add("group", "is required", reason: .required) }
        validator.id(fields.schoolID, "school_id")
        Self.validateLanguage(fields.language, &validator)
        if let contact = fields.contact { contact.validate(&validator, field: "contact") }
        if let contact = fields.contact, survey.anonymous, contact.normalizedIdentity != nil {
            validator.add("contact", "this survey is anonymous and takes no contact details")
        }
        let questions = Dictionary(uniqueKeysWithValues: survey.questions.map { ($0.id, $0) })
        var answered = Set<Int64>()
        for (index, answer) in fields.answers.enumerated() {
            let field = "answers[\(index)]"
            guard let question = questions[answer.questionID] else {
                validator.add(field + ".question_id", "is not a question of this survey")
                continue
            }
            if !answered.insert(answer.questionID).inserted {
                validator.add(field + ".question_id", "is answered twice", questionID: question.id)
            }
            Self.validate(answer, for: question, field: field, &validator)
        }
        for question in survey.questions where question.required && !answered.contains(question.id) {
            validator.add("answers", "question \(question.id) is required", reason: .required, questionID: question.id)
        }
        try validator.check()
        guard let group = fields.group else { throw EngagementError.invalid("group", "is required") }
        if let schoolID = fields.schoolID {
            guard try await !db.query("SELECT 1 FROM schools WHERE id = \(schoolID)").isEmpty else {
                throw EngagementError.invalid("school_id", "no such school")
            }
        }
        let participantID =
            try await fields.contact.asyncMap { try await participants.participant(for: $0, on: db) }
            ?? (survey.anonymous ? nil : fields.invitedParticipantID)
        let receipt = ReceiptCode.make()
        let row = try await db.query(
            """
            INSERT INTO responses (survey_id, initiative_id, school_id, participant_id, stakeholder_group, language, receipt)
            VALUES (\(surveyID), \(survey.initiativeID), \(fields.schoolID), \(participantID), \(group.rawValue)::stakeholder_group,
                    coalesce(\(fields.language.map(DistrictSettings.canonicalTag)), (SELECT default_language FROM district_settings)), \(receipt))
            RETURNING id, submitted_at
            """
        ).one()
        let (id, submittedAt) = try row.decode((Int64, Date).self)
        for answer in fields.answers {
            let text = answer.text.flatMap { $0.isEmpty ? nil : $0 }
            // The answer keeps the version of the question it was checked against; if staff
            // changed the question meanwhile (the response's foreign key waited for their edit),
            // the visitor is asked to look again rather than stored under other wording.
            let version = questions[answer.questionID]?.version ?? 1
            guard
                let answerID = try await db.query(
                    """
                    INSERT INTO answers (response_id, question_id, number, text, choices, scoring_state, question_version)
                    SELECT \(id), q.id, \(answer.number), \(text), \(answer.choices), \(text == nil ? nil : "pending")::scoring_state, q.version
                    FROM survey_questions q WHERE q.id = \(answer.questionID) AND q.version = \(version)
                    RETURNING id
                    """
                ).first?.decode(Int64.self, at: 0)
            else { throw EngagementError.conflict("the survey changed while it was being answered; please look at it again") }
            if text != nil { try await TextScoring.enqueue(source: "answer", id: answerID, on: db) }
        }
        if fields.answers.contains(where: { !($0.text ?? "").isEmpty }) {
            // Text answers to questions marked for follow-up become cases, as comments do.
            for row in try await db.query(
                """
                SELECT a.id, a.text FROM answers a JOIN survey_questions q ON q.id = a.question_id
                WHERE a.response_id = \(id) AND q.follow_up AND a.text IS NOT NULL
                """
            ) {
                let (answerID, text) = try row.decode((Int64, String).self)
                try await Cases.open(
                    source: "answer",
                    id: answerID,
                    initiativeID: survey.initiativeID,
                    schoolID: fields.schoolID,
                    participantID: participantID,
                    language: fields.language.map(DistrictSettings.canonicalTag),
                    text: text,
                    on: db
                )
            }
        }
        return Receipt(id: id, receipt: receipt, createdAt: submittedAt)
    }

    static func validate(_ answer: Answer, for question: Question, field: String, _ validator: inout Validator) {
        // Every error below is about this question.
        var found = Validator()
        defer {
            for error in found.errors {
                validator.add(error.field, error.message, reason: error.reason, questionID: question.id)
            }
        }
        switch question.kind {
        case .likert5, .rating0to10:
            let range = question.kind == .likert5 ? 1...5 : 0...10
            guard let number = answer.number else {
                found.add(field + ".number", "is required for a \(question.kind.rawValue) question", reason: .required)
                return
            }
            if !range.contains(number) { found.add(field + ".number", "must be between \(range.lowerBound) and \(range.upperBound)") }
            if answer.text != nil || answer.choices != nil { found.add(field, "takes only a number") }
        case .choice, .multiChoice:
            guard let choices = answer.choices, !choices.isEmpty else {
                found.add(field + ".choices", "is required for a choice question", reason: .required)
                return
            }
            let allowed = Set(question.choices.map(\.value))
            for choice in choices where !allowed.contains(choice) { found.add(field + ".choices", "\"\(choice.prefix(60))\" is not a choice") }
            if question.kind == .choice && choices.count != 1 { found.add(field + ".choices", "takes exactly one choice") }
            if Set(choices).count != choices.count { found.add(field + ".choices", "repeats a choice") }
            if answer.number != nil || answer.text != nil { found.add(field, "takes only choices") }
        case .text:
            guard let text = answer.text else {
                found.add(field + ".text", "is required for a text question", reason: .required)
                return
            }
            found.text(text, field + ".text", max: 5000)
            if answer.number != nil || answer.choices != nil { found.add(field, "takes only text") }
        }
    }

    public struct FeedbackFields: Sendable {
        public var initiativeID: Int64
        public var schoolID: Int64?
        public var group: StakeholderGroup?
        public var language: String?
        public var comment: String
        public var contact: ContactDetails?
        /// Email me when the initiative posts an update (with consent).
        public var followUpdates: Bool

        public init(
            initiativeID: Int64,
            schoolID: Int64?,
            group: StakeholderGroup?,
            language: String?,
            comment: String,
            contact: ContactDetails?,
            followUpdates: Bool = false
        ) {
            self.followUpdates = followUpdates
            self.initiativeID = initiativeID
            self.schoolID = schoolID
            self.group = group
            self.language = language
            self.comment = comment
            self.contact = contact
        }
    }

    /// The language a family wrote in (the form's): a BCP 47 tag, stored in canonical case.
    static func validateLanguage(_ language: String?, _ validator: inout Validator) {
        if let language, !DistrictSettings.isLanguageTag(language) || language.count > 35 {
            validator.add("language", "must be a BCP 47 language tag such as en, es, vi or zh-Hans")
        }
    }

    public func submitFeedback(_ fields: FeedbackFields, on db: PostgresConnection) async throws -> Receipt {
        var validator = Validator()
        validator.id(fields.initiativeID, "initiative_id")
        validator.id(fields.schoolID, "school_id")
        validator.text(fields.comment, "comment", min: 1, max: 5000)
        Self.validateLanguage(fields.language, &validator)
        if let contact = fields.contact { contact.validate(&validator, field: "contact") }
        try validator.check()
        let status = try await db.query("SELECT status FROM initiatives WHERE id = \(fields.initiativeID)").first
        guard let status else { throw EngagementError.invalid("initiative_id", "no such initiative") }
        if try status.decode(String.self, at: 0) == "completed" {
            throw EngagementError.conflict("the initiative is completed and no longer takes feedback", field: "initiative_id")
        }
        if let schoolID = fields.schoolID {
            guard try await !db.query("SELECT 1 FROM schools WHERE id = \(schoolID)").isEmpty else {
                throw EngagementError.invalid("school_id", "no such school")
            }
        }
        let participantID = try await fields.contact.asyncMap { try await participants.participant(for: $0, on: db) }
        let receipt = ReceiptCode.make()
        let row = try await db.query(
            """
            INSERT INTO feedback (initiative_id, school_id, participant_id, stakeholder_group, language, comment, receipt)
            VALUES (\(fields.initiativeID), \(fields.schoolID), \(participantID), \(fields.group?.rawValue)::stakeholder_group,
                    \(fields.language.map(DistrictSettings.canonicalTag)), \(fields.comment), \(receipt))
            RETURNING id, created_at
            """
        ).one()
        let (id, createdAt) = try row.decode((Int64, Date).self)
        try await TextScoring.enqueue(source: "feedback", id: id, on: db)
        if let participantID, let contact = fields.contact, contact.consent {
            // The consent box of the comment form covers a reply, and news of the initiative
            // when the person ticked that too.
            let language = fields.language.map(DistrictSettings.canonicalTag) ?? "en"
            try await Consents().grant(participantID: participantID, purpose: .replies, contact: contact, language: language, on: db)
            if fields.followUpdates {
                try await Consents().grant(participantID: participantID, purpose: .updates, contact: contact, language: language, on: db)
                try await db.query(
                    """
                    INSERT INTO initiative_followers (participant_id, initiative_id) VALUES (\(participantID), \(fields.initiativeID))
                    ON CONFLICT DO NOTHING
                    """
                )
            }
        }
        try await Cases.open(
            source: "feedback",
            id: id,
            initiativeID: fields.initiativeID,
            schoolID: fields.schoolID,
            participantID: fields.contact?.consent == true ? participantID : nil,
            language: fields.language.map(DistrictSettings.canonicalTag),
            text: fields.comment,
            on: db
        )
        return Receipt(id: id, receipt: receipt, createdAt: createdAt)
    }

    public func responses(_ filter: ListFilter, on db: PostgresConnection) async throws -> Page<SurveyResponse> {
        let before = try Cursor.beforeTime(filter.cursor)
        let rows = try await db.query(
            """
            SELECT id, survey_id, school_id, participant_id, stakeholder_group::text, language, submitted_at FROM responses
            WHERE (\(filter.initiativeID)::bigint IS NULL OR initiative_id = \(filter.initiativeID))
              AND (\(filter.schoolID)::bigint IS NULL OR school_id = \(filter.schoolID))
              AND (\(filter.group?.rawValue)::stakeholder_group IS NULL OR stakeholder_group = \(filter.group?.rawValue)::stakeholder_group)
              AND (\(filter.from)::timestamptz IS NULL OR submitted_at >= \(filter.from))
              AND (\(filter.to)::timestamptz IS NULL OR submitted_at < \(filter.to))
              AND (\(before?.micros)::bigint IS NULL
                   OR (submitted_at, id) < (timestamptz 'epoch' + \(before?.micros)::bigint * interval '1 microsecond', \(before?.id)::bigint))
            ORDER BY submitted_at DESC, id DESC LIMIT \(filter.limit + 1)
            """
        )
        let fetched: [SurveyResponse] = try rows.map { row in
            let (id, surveyID, schoolID, participantID, group, language, submittedAt) = try row.decode(
                (Int64, Int64, Int64?, Int64?, String, String, Date).self
            )
            return SurveyResponse(
                id: id,
                surveyID: surveyID,
                schoolID: schoolID,
                participantID: participantID,
                group: StakeholderGroup(rawValue: group) ?? .families,
                language: language,
                submittedAt: submittedAt,
                answers: []
            )
        }
        var page = Page(fetched: fetched, limit: filter.limit) { Cursor.time($0.submittedAt, $0.id) }
        let ids = page.items.map { String($0.id) }
        var answers: [Int64: [Answer]] = [:]
        for row in try await db.query(
            "SELECT response_id, question_id, number, text, choices FROM answers WHERE response_id = ANY(\(ids)::bigint[]) ORDER BY id"
        ) {
            let (responseID, questionID, number, text, choices) = try row.decode((Int64, Int64, Int?, String?, [String]?).self)
            answers[responseID, default: []].append(Answer(questionID: questionID, number: number, text: text, choices: choices))
        }
        for index in page.items.indices { page.items[index].answers = answers[page.items[index].id] ?? [] }
        return page
    }

    /// The text of comments by id (a scorecard's theme examples); ids not found are left out.
    public func comments(ids: [Int64], on db: PostgresConnection) async throws -> [Int64: String] {
        var comments: [Int64: String] = [:]
        for row in try await db.query("SELECT id, comment FROM feedback WHERE id = ANY(\(ids.map { String($0) })::text[]::bigint[])") {
            comments[try row.decode(Int64.self, at: 0)] = try row.decode(String.self, at: 1)
        }
        return comments
    }

    public func feedback(_ filter: ListFilter, on db: PostgresConnection) async throws -> Page<Feedback> {
        let before = try Cursor.beforeTime(filter.cursor)
        let rows = try await db.query(
            """
            SELECT f.id, f.initiative_id, f.school_id, f.participant_id, f.stakeholder_group::text, f.language, f.comment,
                   f.scoring_state::text, f.created_at,
                   s.language, s.neg, s.neu, s.pos, s.compound,
                   ARRAY(SELECT jsonb_array_elements(s.themes) ->> 'theme'), s.scorer_version
            FROM feedback f
            LEFT JOIN text_scores s ON s.source = 'feedback' AND s.source_id = f.id AND s.scorer_version = \(TextScorer.version)
            WHERE (\(filter.initiativeID)::bigint IS NULL OR f.initiative_id = \(filter.initiativeID))
              AND (\(filter.schoolID)::bigint IS NULL OR f.school_id = \(filter.schoolID))
              AND (\(filter.group?.rawValue)::stakeholder_group IS NULL OR f.stakeholder_group = \(filter.group?.rawValue)::stakeholder_group)
              AND (\(filter.from)::timestamptz IS NULL OR f.created_at >= \(filter.from))
              AND (\(filter.to)::timestamptz IS NULL OR f.created_at < \(filter.to))
              AND (\(before?.micros)::bigint IS NULL
                   OR (f.created_at, f.id) < (timestamptz 'epoch' + \(before?.micros)::bigint * interval '1 microsecond', \(before?.id)::bigint))
            ORDER BY f.created_at DESC, f.id DESC LIMIT \(filter.limit + 1)
            """
        )
        let items: [Feedback] = try rows.map { row in
            var score: StoredScore?
            if let language = try row.decode(String?.self, at: 9) {
                score = StoredScore(
                    language: language,
                    neg: try row.decode(Double?.self, at: 10),
                    neu: try row.decode(Double?.self, at: 11),
                    pos: try row.decode(Double?.self, at: 12),
                    compound: try row.decode(Double?.self, at: 13),
                    themes: try row.decode([String].self, at: 14),
                    version: try row.decode(String.self, at: 15)
                )
            }
            let (id, initiativeID, schoolID, participantID, group, language) = try row.decode(
                (Int64, Int64, Int64?, Int64?, String?, String?).self
            )
            return Feedback(
                score: score,
                id: id,
                initiativeID: initiativeID,
                schoolID: schoolID,
                participantID: participantID,
                group: group.flatMap(StakeholderGroup.init),
                language: language,
                comment: try row.decode(String.self, at: 6),
                scoringState: try row.decode(String.self, at: 7),
                createdAt: try row.decode(Date.self, at: 8)
            )
        }
        return Page(fetched: items, limit: filter.limit) { Cursor.time($0.createdAt, $0.id) }
    }
}

/// Receipt codes shown to the person who submitted: 10 characters of an alphabet without
/// look-alikes (no 0/O, 1/I/L), about 49 bits of randomness.
enum ReceiptCode {
    static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ")

    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<10).map { _ in alphabet.randomElement(using: &generator)! }
        return String(characters[0..<5]) + "-" + String(characters[5...])
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
