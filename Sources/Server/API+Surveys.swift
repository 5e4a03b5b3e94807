import Engagement
import Foundation
import OpenAPIRuntime

extension API {
    func listSurveys(_ input: Operations.ListSurveys.Input) async throws -> Operations.ListSurveys.Output {
        let limit = try Self.limit(input.query.limit)
        let (page, languages) = try await readTexts {
            try await surveys.surveys(initiativeID: input.query.initiativeId, cursor: input.query.cursor, limit: limit, on: $0)
        }
        return .ok(.init(body: .json(.init(items: page.items.map { $0.schema(languages) }, nextCursor: page.nextCursor))))
    }

    func createSurvey(_ input: Operations.CreateSurvey.Input) async throws -> Operations.CreateSurvey.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        try Access.within({ $0.covers(initiatives: [body.initiativeId]) }, "initiative_id", "is not one of your initiatives")
        let survey = try await idempotency.run(key: input.headers.idempotencyKey, operation: "createSurvey", body: body) { db in
            let languages = try await DistrictSettings.current(on: db).languageSet
            return try await surveys.create(
                .init(
                    initiativeID: body.initiativeId,
                    title: Translated(body.title, body.titleTranslations, en: body.titleEn, es: body.titleEs, languages: languages)
                        ?? Translated(),
                    opensAt: body.opensAt,
                    closesAt: body.closesAt,
                    anonymous: body.anonymous ?? true,
                    questions: body.questions.map { question in
                        .init(
                            kind: question.kind.domain,
                            prompt: Translated(
                                question.prompt,
                                question.promptTranslations,
                                en: question.promptEn,
                                es: question.promptEs,
                                languages: languages
                            ) ?? Translated(),
                            help: Translated(
                                question.help,
                                question.helpTranslations,
                                en: question.helpEn,
                                es: question.helpEs,
                                languages: languages
                            ),
                            required: question.required ?? false,
                            choices: (question.choices ?? []).map { $0.domain(languages) },
                            recommendation: question.recommendation ?? false,
                            followUp: question.followUp ?? false
                        )
                    },
                    publish: !(body.draft ?? false)
                ),
                on: db
            ).schema(languages)
        }
        return .created(.init(body: .json(survey)))
    }

    /// Open surveys are public; a closed or future one is visible only with a token (404 for the
    /// public, so closed surveys are not discoverable).
    func getSurvey(_ input: Operations.GetSurvey.Input) async throws -> Operations.GetSurvey.Output {
        let (survey, languages) = try await readTexts { try await surveys.survey(id: input.path.surveyId, on: $0) }
        if Access.principal == nil && !survey.isOpen() { throw EngagementError.notFound("survey") }
        let schema = survey.schema(languages)
        return .ok(.init(headers: .init(eTag: try Self.etag(schema)), body: .json(schema)))
    }

    func submitResponse(_ input: Operations.SubmitResponse.Input) async throws -> Operations.SubmitResponse.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let receipt = try await idempotency.run(
            key: input.headers.idempotencyKey,
            operation: "submitResponse",
            path: ["survey": input.path.surveyId],
            body: body
        ) { db in
            try await submissions.submitResponse(
                surveyID: input.path.surveyId,
                .init(
                    group: body.group.domain,
                    schoolID: body.schoolId,
                    language: body.language,
                    answers: body.answers.map { Answer(questionID: $0.questionId, number: $0.number, text: $0.text, choices: $0.choices) },
                    contact: body.contact?.domain
                ),
                on: db
            ).schema
        }
        return .created(.init(body: .json(receipt)))
    }

    func listResponses(_ input: Operations.ListResponses.Input) async throws -> Operations.ListResponses.Output {
        let filter = try Self.filter(input.query)
        let page = try await read { try await submissions.responses(filter, on: $0) }
        return .ok(.init(body: .json(.init(items: page.items.map(\.schema), nextCursor: page.nextCursor))))
    }

    func listFeedback(_ input: Operations.ListFeedback.Input) async throws -> Operations.ListFeedback.Output {
        let filter = try Self.filter(input.query)
        let page = try await read { try await submissions.feedback(filter, on: $0) }
        return .ok(.init(body: .json(.init(items: page.items.map(\.schema), nextCursor: page.nextCursor))))
    }

    func submitFeedback(_ input: Operations.SubmitFeedback.Input) async throws -> Operations.SubmitFeedback.Output {
        guard case .json(let body) = input.body else { throw EngagementError.invalid("body", "must be JSON") }
        let receipt = try await idempotency.run(key: input.headers.idempotencyKey, operation: "submitFeedback", body: body) { db in
            try await submissions.submitFeedback(
                .init(
                    initiativeID: body.initiativeId,
                    schoolID: body.schoolId,
                    group: body.group?.domain,
                    language: body.language,
                    comment: body.comment,
                    contact: body.contact?.domain,
                    followUpdates: body.followUpdates ?? false
                ),
                on: db
            ).schema
        }
        return .created(.init(body: .json(receipt)))
    }
}

/// The list queries that filter by initiative, school, group and time.
protocol RecordListQuery {
    var initiativeId: Int64? { get }
    var schoolId: Int64? { get }
    var group: Components.Schemas.StakeholderGroup? { get }
    var from: Date? { get }
    var to: Date? { get }
    var cursor: String? { get }
    var limit: Int? { get }
}

extension Operations.ListResponses.Input.Query: RecordListQuery {}
extension Operations.ListFeedback.Input.Query: RecordListQuery {}

extension API {
    static func filter(_ query: some RecordListQuery) throws -> ListFilter {
        try filter(
            initiativeID: query.initiativeId,
            schoolID: query.schoolId,
            group: query.group,
            from: query.from,
            to: query.to,
            cursor: query.cursor,
            limit: query.limit
        )
    }
}

extension Components.Schemas.Choice {
    func domain(_ languages: LanguageSet) -> Choice {
        Choice(value: value, label: Translated(label, labelTranslations, en: labelEn, es: labelEs, languages: languages) ?? Translated())
    }
}

extension Components.Schemas.QuestionKind {
    var domain: QuestionKind { QuestionKind(rawValue: rawValue)! }
}

extension Survey {
    func schema(_ languages: LanguageSet) -> Components.Schemas.Survey {
        .init(
            id: id,
            initiativeId: initiativeID,
            title: title.text(languages),
            titleTranslations: title.schema,
            titleEn: title.text("en", languages),
            titleEs: title.text("es", languages),
            missingTranslations: languages.missing(in: texts),
            opensAt: opensAt,
            closesAt: closesAt,
            anonymous: anonymous,
            isOpen: isOpen(),
            publishedAt: publishedAt,
            previousSurveyId: previousSurveyID,
            questions: questions.map { question in
                .init(
                    id: question.id,
                    position: question.position,
                    kind: .init(rawValue: question.kind.rawValue)!,
                    prompt: question.prompt.text(languages),
                    promptTranslations: question.prompt.schema,
                    help: question.help?.text(languages),
                    helpTranslations: question.help?.schema,
                    promptEn: question.prompt.text("en", languages),
                    promptEs: question.prompt.text("es", languages),
                    helpEn: question.help?.text("en", languages),
                    helpEs: question.help?.text("es", languages),
                    required: question.required,
                    choices: question.choices.map {
                        .init(
                            value: $0.value,
                            label: $0.label.text(languages),
                            labelTranslations: $0.label.schema,
                            labelEn: $0.label.text("en", languages),
                            labelEs: $0.label.text("es", languages)
                        )
                    },
                    version: question.version,
                    previousQuestionId: question.previousQuestionID,
                    recommendation: question.recommendation,
                    followUp: question.followUp
                )
            }
        )
    }
}

extension Receipt {
    var schema: Components.Schemas.Receipt { .init(id: id, receipt: receipt, createdAt: createdAt) }
}

extension SurveyResponse {
    var schema: Components.Schemas.SurveyResponse {
        .init(
            id: id,
            surveyId: surveyID,
            schoolId: schoolID,
            participantId: participantID,
            group: .init(rawValue: group.rawValue)!,
            language: language,
            submittedAt: submittedAt,
            answers: answers.map { .init(questionId: $0.questionID, number: $0.number, text: $0.text, choices: $0.choices) }
        )
    }
}

extension Feedback {
    var schema: Components.Schemas.Feedback {
        .init(
            id: id,
            initiativeId: initiativeID,
            schoolId: schoolID,
            participantId: participantID,
            group: group.flatMap { .init(rawValue: $0.rawValue) },
            language: language,
            comment: comment,
            scoringState: .init(rawValue: scoringState) ?? .pending,
            score: score.map {
                .init(
                    language: $0.language,
                    sentimentScored: $0.sentimentScored,
                    neg: $0.neg,
                    neu: $0.neu,
                    pos: $0.pos,
                    compound: $0.compound,
                    themes: $0.themes,
                    version: $0.version
                )
            },
            createdAt: createdAt
        )
    }
}
