import Foundation
import Postgres

/// Changing a survey after it was made (issue 14): its settings and its questions (add, reorder,
/// edit, remove), publishing, closing early, a new wave, deleting. Once answers exist a question
/// cannot be removed or change kind, and a change of wording makes a new version; each answer
/// keeps the version it was given to.
extension Surveys {
    /// A question as the editor sends it: an existing one by id, or a new one.
    public struct QuestionEdit: Sendable, Equatable {
        public var id: Int64?
        public var fields: QuestionFields

        public init(id: Int64?, fields: QuestionFields) {
            self.id = id
            self.fields = fields
        }
    }

    /// The survey after the edit; nil fields keep their value. `closesAt: .some(nil)` removes
    /// the closing time. `questions`, when given, is the whole list in its new order.
    public struct SurveyChanges: Sendable {
        public var title: Translated?
        public var opensAt: Date?
        public var closesAt: Date??
        public var anonymous: Bool?
        public var questions: [QuestionEdit]?

        public init(
            title: Translated? = nil,
            opensAt: Date? = nil,
            closesAt: Date?? = nil,
            anonymous: Bool? = nil,
            questions: [QuestionEdit]? = nil
        ) {
            self.title = title
            self.opensAt = opensAt
            self.closesAt = closesAt
            self.anonymous = anonymous
            self.questions = questions
        }
    }

    /// Locks the survey row for an edit: submissions hold a key-share lock on it through their
    /// foreign key, so an edit waits for answers in flight and they wait for it.
    public func lock(id: Int64, on db: PostgresConnection) async throws -> Survey {
        guard try await !db.query("SELECT 1 FROM surveys WHERE id = \(id) FOR UPDATE").isEmpty else {
            throw EngagementError.notFound("survey")
        }
        return try await survey(id: id, on: db)
    }

    /// The questions of a survey that have answers.
    public func answeredQuestions(surveyID id: Int64, on db: PostgresConnection) async throws -> Set<Int64> {
        Set(
            try await db.query(
                """
                SELECT DISTINCT a.question_id FROM answers a JOIN survey_questions q ON q.id = a.question_id
                WHERE q.survey_id = \(id)
                """
            ).map { try $0.decode(Int64.self, at: 0) }
        )
    }

    /// `replacingTexts`: the edit holds every language (the console's form), so a text left
    /// empty is removed; otherwise (the API) given texts are laid over the stored ones.
    public func update(id: Int64, _ changes: SurveyChanges, replacingTexts: Bool = false, on db: PostgresConnection) async throws -> Survey {
        let current = try await lock(id: id, on: db)
        let answered = try await answeredQuestions(surveyID: id, on: db)
        let byID = Dictionary(uniqueKeysWithValues: current.questions.map { ($0.id, $0) })
        func texts(_ old: Translated?, _ new: Translated?) -> Translated? {
            guard !replacingTexts, let old else { return new }
            return old.merging(new)
        }
        let edits = (changes.questions ?? current.questions.map { QuestionEdit(id: $0.id, fields: $0.fields) }).map { edit in
            guard let questionID = edit.id, let old = byID[questionID] else { return edit }
            var merged = edit
            merged.fields.prompt = texts(old.prompt, edit.fields.prompt) ?? edit.fields.prompt
            merged.fields.help = edit.fields.help == nil && !replacingTexts ? old.help : texts(old.help, edit.fields.help)
            let oldLabels = Dictionary(old.choices.map { ($0.value, $0.label) }, uniquingKeysWith: { first, _ in first })
            merged.fields.choices = edit.fields.choices.map { Choice(value: $0.value, label: texts(oldLabels[$0.value], $0.label) ?? $0.label) }
            return merged
        }
        let hasResponses = try await !db.query("SELECT 1 FROM responses WHERE survey_id = \(id) LIMIT 1").isEmpty
        let merged = SurveyFields(
            initiativeID: current.initiativeID,
            title: texts(current.title, changes.title) ?? current.title,
            opensAt: changes.opensAt ?? current.opensAt,
            closesAt: changes.closesAt ?? current.closesAt,
            anonymous: changes.anonymous ?? current.anonymous,
            questions: edits.map(\.fields)
        )
        try Self.validate(merged, languages: try await DistrictSettings.current(on: db).languageSet)
        if hasResponses && merged.anonymous != current.anonymous {
            throw EngagementError.conflict("the survey has responses: whether it is anonymous cannot change", field: "anonymous")
        }
        var seen = Set<Int64>()
        for (index, edit) in edits.enumerated() {
            guard let questionID = edit.id else { continue }
            guard let old = byID[questionID], seen.insert(questionID).inserted else {
                throw EngagementError.invalid("questions[\(index)].id", "is not a question of this survey, or is listed twice")
            }
            if answered.contains(questionID) && old.kind != edit.fields.kind {
                throw EngagementError.conflict("question \(questionID) has answers: its kind cannot change", field: "questions[\(index)].kind")
            }
        }
        for question in current.questions where !seen.contains(question.id) && answered.contains(question.id) {
            throw EngagementError.conflict("question \(question.id) has answers: it cannot be removed", field: "questions")
        }
        for question in current.questions where !seen.contains(question.id) {
            try await db.query("DELETE FROM survey_questions WHERE id = \(question.id)")
        }
        for (index, edit) in edits.enumerated() {
            guard let questionID = edit.id, let old = byID[questionID] else {
                try await insert(edit.fields, survey: id, position: index + 1, on: db)
                continue
            }
            let reworded = old.prompt != edit.fields.prompt || old.help != edit.fields.help || old.choices != edit.fields.choices
            if reworded && answered.contains(questionID) {
                // The wording the earlier answers were given to, kept for results.
                try await db.query(
                    """
                    INSERT INTO question_versions (question_id, version, prompt, help, choices)
                    SELECT id, version, prompt, help, choices FROM survey_questions WHERE id = \(questionID)
                    """
                )
            }
            try await db.query(
                """
                UPDATE survey_questions SET position = \(index + 1), kind = \(edit.fields.kind.rawValue)::question_kind,
                    prompt = \(PostgresJSON(edit.fields.prompt)), help = \(edit.fields.help.map(PostgresJSON.init)),
                    required = \(edit.fields.required), choices = \(PostgresJSON(edit.fields.choices)),
                    recommendation = \(edit.fields.recommendation), follow_up = \(edit.fields.followUp), version = version + \(reworded && answered.contains(questionID) ? 1 : 0)
                WHERE id = \(questionID)
                """
            )
        }
        try await db.query(
            """
            UPDATE surveys SET title = \(PostgresJSON(merged.title)), opens_at = \(merged.opensAt), closes_at = \(merged.closesAt),
                anonymous = \(merged.anonymous), updated_at = now()
            WHERE id = \(id)
            """
        )
        return try await survey(id: id, on: db)
    }

    /// Families can answer from its opening time on.
    public func publish(id: Int64, on db: PostgresConnection) async throws -> Survey {
        let current = try await lock(id: id, on: db)
        if current.publishedAt == nil {
            try await db.query("UPDATE surveys SET published_at = now(), updated_at = now() WHERE id = \(id)")
        }
        return try await survey(id: id, on: db)
    }

    /// Closes now: later answers are refused with "not open".
    public func close(id: Int64, on db: PostgresConnection) async throws -> Survey {
        let current = try await lock(id: id, on: db)
        let now = Date()
        if let closes = current.closesAt, closes <= now { return current }
        guard current.opensAt < now else {
            throw EngagementError.conflict("the survey has not opened yet: move its opening or delete it", field: "closes_at")
        }
        try await db.query("UPDATE surveys SET closes_at = now(), updated_at = now() WHERE id = \(id)")
        return try await survey(id: id, on: db)
    }

    /// A new wave: the same questions as a draft opening at `opensAt`, each linked to the
    /// question it repeats so results can show the change.
    public func duplicate(id: Int64, opensAt: Date, closesAt: Date?, on db: PostgresConnection) async throws -> Survey {
        let current = try await survey(id: id, on: db)
        return try await create(
            SurveyFields(
                initiativeID: current.initiativeID,
                title: current.title,
                opensAt: opensAt,
                closesAt: closesAt,
                anonymous: current.anonymous,
                questions: current.questions.map(\.fields),
                publish: false
            ),
            previous: current,
            on: db
        )
    }

    /// Only a survey nobody answered can go; otherwise close it.
    public func delete(id: Int64, on db: PostgresConnection) async throws -> Survey {
        let current = try await lock(id: id, on: db)
        guard try await db.query("SELECT 1 FROM responses WHERE survey_id = \(id) LIMIT 1").isEmpty else {
            throw EngagementError.conflict("the survey has responses: close it instead of deleting it")
        }
        try await db.query("DELETE FROM surveys WHERE id = \(id)")
        return current
    }
}
