import Foundation
import Postgres

/// Surveys with their questions (admin), and what the public may see of them.
public struct Surveys: Sendable {
    public init() {}

    public struct QuestionFields: Sendable, Equatable {
        public var kind: QuestionKind
        public var prompt: Translated
        public var help: Translated?
        public var required: Bool
        public var choices: [Choice]
        /// A 0–10 "would you recommend" question: its results carry an NPS.
        public var recommendation: Bool
        /// A text question whose answers need a reply: each opens a case in the inbox (issue 17).
        public var followUp: Bool

        public init(
            kind: QuestionKind,
            prompt: Translated,
            help: Translated? = nil,
            required: Bool = false,
            choices: [Choice] = [],
            recommendation: Bool = false,
            followUp: Bool = false
        ) {
            self.recommendation = recommendation
            self.followUp = followUp
            self.kind = kind
            self.prompt = prompt
            self.help = help
            self.required = required
            self.choices = choices
        }

        /// Every text of the question, for what is left to translate.
        public var texts: [Translated?] { [prompt, help] + choices.map(\.label) }
    }

    public struct SurveyFields: Sendable {
        public var initiativeID: Int64
        public var title: Translated
        public var opensAt: Date
        public var closesAt: Date?
        public var anonymous: Bool
        public var questions: [QuestionFields]
        /// False for a draft (the console's new surveys and new waves).
        public var publish: Bool

        public init(
            initiativeID: Int64,
            title: Translated,
            opensAt: Date,
            closesAt: Date?,
            anonymous: Bool,
            questions: [QuestionFields],
            publish: Bool = true
        ) {
            self.publish = publish
            self.initiativeID = initiativeID
            self.title = title
            self.opensAt = opensAt
            self.closesAt = closesAt
            self.anonymous = anonymous
            self.questions = questions
        }
    }

    public func create(_ fields: SurveyFields, previous: Survey? = nil, on db: PostgresConnection) async throws -> Survey {
        let languages = try await DistrictSettings.current(on: db).languageSet
        try Self.validate(fields, languages: languages)
        guard try await !db.query("SELECT 1 FROM initiatives WHERE id = \(fields.initiativeID)").isEmpty else {
            throw EngagementError.invalid("initiative_id", "no such initiative")
        }
        let id = try await db.query(
            """
            INSERT INTO surveys (initiative_id, title, opens_at, closes_at, anonymous, published_at, previous_survey_id)
            VALUES (\(fields.initiativeID), \(PostgresJSON(fields.title)), \(fields.opensAt), \(fields.closesAt), \(fields.anonymous),
                    CASE WHEN \(fields.publish) THEN now() END, \(previous?.id))
            RETURNING id
            """
        ).one().decode(Int64.self, at: 0)
        for (position, question) in fields.questions.enumerated() {
            let earlier = previous.flatMap { $0.questions.indices.contains(position) ? $0.questions[position].id : nil }
            try await insert(question, survey: id, position: position + 1, previous: earlier, on: db)
        }
        return try await survey(id: id, on: db)
    }

    func insert(_ question: QuestionFields, survey id: Int64, position: Int, previous: Int64? = nil, on db: PostgresConnection) async throws {
        try await db.query(
            """
            INSERT INTO survey_questions (survey_id, position, kind, prompt, help, required, choices, previous_question_id, recommendation,
                                          follow_up)
            VALUES (\(id), \(position), \(question.kind.rawValue)::question_kind, \(PostgresJSON(question.prompt)),
                    \(question.help.map(PostgresJSON.init)), \(question.required), \(PostgresJSON(question.choices)), \(previous),
                    \(question.recommendation), \(question.followUp))
            """
        )
    }

    /// The rules a survey's fields keep, made or edited.
    static func validate(_ fields: SurveyFields, languages: LanguageSet) throws {
        var validator = Validator()
        validator.id(fields.initiativeID, "initiative_id")
        validator.translated(fields.title, "title", min: 1, max: 200, required: true, languages: languages)
        if let closes = fields.closesAt, closes <= fields.opensAt { validator.add("closes_at", "must be after opens_at") }
        Self.validateDate(fields.opensAt, "opens_at", &validator)
        if let closes = fields.closesAt { Self.validateDate(closes, "closes_at", &validator) }
        if fields.questions.isEmpty { validator.add("questions", "must have at least one question") }
        if fields.questions.count > 100 { validator.add("questions", "must have at most 100 questions") }
        for (index, question) in fields.questions.enumerated() {
            let field = "questions[\(index)]"
            validator.translated(question.prompt, field + ".prompt", min: 1, max: 500, required: true, languages: languages)
            validator.translated(question.help, field + ".help", max: 1000, required: false, languages: languages)
            let needsChoices = question.kind == .choice || question.kind == .multiChoice
            if needsChoices && question.choices.count < 2 { validator.add(field + ".choices", "needs at least two choices") }
            if !needsChoices && !question.choices.isEmpty { validator.add(field + ".choices", "only choice questions have choices") }
            if question.recommendation && question.kind != .rating0to10 {
                validator.add(field + ".recommendation", "only a 0–10 question can be a recommendation question")
            }
            if question.followUp && question.kind != .text {
                validator.add(field + ".follow_up", "only a text question can need a follow-up")
            }
            if Set(question.choices.map(\.value)).count != question.choices.count {
                validator.add(field + ".choices", "choice values must be unique")
            }
            for (choiceIndex, choice) in question.choices.enumerated() {
                validator.text(choice.value, field + ".choices[\(choiceIndex)].value", min: 1, max: 60)
                let label = field + ".choices[\(choiceIndex)].label"
                validator.translated(choice.label, label, min: 1, max: 200, required: true, languages: languages)
            }
        }
        try validator.check()
    }

    static func validateDate(_ date: Date, _ field: String, _ validator: inout Validator) {
        // Years 2000–2200: anything else is a typo or a probe, not a survey.
        if date.timeIntervalSince1970 < 946_684_800 || date.timeIntervalSince1970 > 7_258_118_400 {
            validator.add(field, "must be between 2000 and 2200")
        }
    }

    public func survey(id: Int64, on db: PostgresConnection) async throws -> Survey {
        guard
            let row = try await db.query(
                "SELECT \(unsafeSQL: Self.surveyColumns) FROM surveys WHERE id = \(id)"
            ).first
        else { throw EngagementError.notFound("survey") }
        var survey = try Self.survey(row)
        survey.questions = try await db.query(
            """
            SELECT \(unsafeSQL: Self.questionColumns)
            FROM survey_questions WHERE survey_id = \(id) ORDER BY position
            """
        ).map(Self.question)
        return survey
    }

    public func surveys(initiativeID: Int64?, cursor: String?, limit: Int, on db: PostgresConnection) async throws -> Page<Survey> {
        let after = try Cursor.afterID(cursor)
        let rows = try await db.query(
            """
            SELECT \(unsafeSQL: Self.surveyColumns) FROM surveys
            WHERE id > \(after) AND (\(initiativeID)::bigint IS NULL OR initiative_id = \(initiativeID))
            ORDER BY id LIMIT \(limit + 1)
            """
        )
        var surveys = try rows.map(Self.survey)
        let ids = surveys.prefix(limit).map { String($0.id) }
        let questions = try await db.query(
            """
            SELECT \(unsafeSQL: Self.questionColumns), survey_id
            FROM survey_questions WHERE survey_id = ANY(\(ids)::bigint[]) ORDER BY survey_id, position
            """
        )
        var bySurvey: [Int64: [Question]] = [:]
        for row in questions { bySurvey[try row.decode(Int64.self, at: 11), default: []].append(try Self.question(row)) }
        for index in surveys.indices { surveys[index].questions = bySurvey[surveys[index].id] ?? [] }
        return Page(fetched: surveys, limit: limit) { String($0.id) }
    }

    static let surveyColumns = "id, initiative_id, title, opens_at, closes_at, anonymous, published_at, previous_survey_id"
    static let questionColumns = "id, position, kind, prompt, help, required, choices, version, previous_question_id, recommendation, follow_up"

    static func survey(_ row: PostgresRow) throws -> Survey {
        let (id, initiativeID, title, opensAt, closesAt, anonymous) = try row.decode(
            (Int64, Int64, PostgresJSON<Translated>, Date, Date?, Bool).self
        )
        let (publishedAt, previousSurveyID) = (try row.decode(Date?.self, at: 6), try row.decode(Int64?.self, at: 7))
        return Survey(
            id: id,
            initiativeID: initiativeID,
            title: title.value,
            opensAt: opensAt,
            closesAt: closesAt,
            anonymous: anonymous,
            questions: [],
            publishedAt: publishedAt,
            previousSurveyID: previousSurveyID
        )
    }

    static func question(_ row: PostgresRow) throws -> Question {
        let (id, position, kind, prompt, help, required) = try row.decode(
            (Int64, Int, String, PostgresJSON<Translated>, PostgresJSON<Translated>?, Bool).self
        )
        return Question(
            id: id,
            position: position,
            fields: QuestionFields(
                kind: QuestionKind(rawValue: kind) ?? .text,
                prompt: prompt.value,
                help: help?.value,
                required: required,
                choices: try row.decode(PostgresJSON<[Choice]>.self, at: 6).value,
                recommendation: try row.decode(Bool.self, at: 9),
                followUp: try row.decode(Bool.self, at: 10)
            ),
            version: try row.decode(Int.self, at: 7),
            previousQuestionID: try row.decode(Int64?.self, at: 8)
        )
    }
}
