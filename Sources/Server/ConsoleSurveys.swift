import Engagement
import Foundation
import Hummingbird
import InputParsing

/// The console's survey builder (issue 14): a draft is made, its questions added, reordered,
/// edited in every language (missing texts flagged) and removed in one form without
/// JavaScript; it is previewed exactly as a family sees it, published, closed early or repeated
/// as a new wave. Every change goes through the API's `edit`, so the console and the API keep
/// the same rules, versions and audit rows.
extension ConsolePages {
    func addSurveyRoutes(to pages: RouterGroup<ChorusContext>) {
        pages.get("surveys") { request, context in
            try await signedIn(request, "GET /console/surveys", context) { try await surveys(request, $0, form: nil, errors: [:]) }
        }
        pages.post("surveys") { request, context in
            try await signedIn(request, "POST /console/surveys", context) { try await createSurvey(request, $0) }
        }
        pages.get("surveys/:id") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request, "GET /console/surveys/{id}", context) { _ in
                try await builder(request, id: id, form: nil, errors: [], notice: nil)
            }
        }
        pages.post("surveys/:id") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request, "POST /console/surveys/{id}", context) { _ in try await saveSurvey(request, id: id) }
        }
        pages.get("surveys/:id/preview") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            return try await signedIn(request, "GET /console/surveys/{id}/preview", context) { _ in try await preview(request, id: id) }
        }
        pages.post("surveys/:id/:action") { request, context in
            let id = try context.parameters.require("id", as: Int64.self)
            let action = try context.parameters.require("action")
            return try await signedIn(request, "POST /console/surveys/{id}/{action}", context) { _ in
                try await surveyAction(request, id: id, action: action)
            }
        }
    }

    var api: API { API(database: web.database) }

    // MARK: The list and a new draft

    func surveys(_ request: Request, _ staff: Staff, form: FormFields?, errors: [String: String]) async throws -> Response {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let (all, initiatives) = try await web.database.snapshot { db in
            (
                try await Surveys().surveys(initiativeID: nil, cursor: nil, limit: 200, on: db).items,
                try await ReferenceData().allInitiatives(on: db)
            )
        }
        let mine = initiatives.filter { staff.principal.scope.covers(initiatives: [$0.id]) }
        let titles = Dictionary(uniqueKeysWithValues: initiatives.map { ($0.id, language.text($0.title).text) })
        var view: [String: Any] = [
            "title": t[text: "console_surveys"],
            "surveys": all.reversed().map { survey -> [String: Any] in
                [
                    "id": survey.id, "title": language.text(survey.title).text, "initiative": titles[survey.initiativeID] ?? "",
                    "state": t[text: Self.state(survey)], "opens": language.when(survey.opensAt),
                ]
            },
            "initiatives": mine.map {
                ["id": $0.id, "title": language.text($0.title).text, "selected": form?["initiative_id"] == String($0.id)] as [String: Any]
            },
            "kinds": Self.kinds(t, selected: form?["kind"]),
            "canCreate": !mine.isEmpty,
            "values": ["title": form?["title"] ?? "", "prompt": form?["prompt"] ?? "", "opens_at": form?["opens_at"] ?? ""],
            "zone": language.timeZone.identifier,
            "hasErrors": !errors.isEmpty,
            "errors": errors.sorted { $0.key < $1.key }.map { ["target": $0.key, "message": t[text: $0.value]] },
        ]
        view["defaultLanguage"] = language.district.defaultLanguage
        return try await web.page(
            "console-surveys",
            view,
            request: request,
            language: language,
            status: errors.isEmpty ? .ok : .unprocessableContent,
            form: true
        )
    }

    static func state(_ survey: Survey, now: Date = Date()) -> String {
        survey.publishedAt == nil ? "survey_draft" : state(opensAt: survey.opensAt, closesAt: survey.closesAt, now: now)
    }

    /// A published survey's state key.
    static func state(opensAt: Date, closesAt: Date?, now: Date = Date()) -> String {
        if let closes = closesAt, closes <= now { return "survey_closed" }
        return opensAt > now ? "survey_scheduled" : "survey_open"
    }

    static func kinds(_ t: [String: String], selected: String?) -> [[String: Any]] {
        QuestionKind.allCases.map { ["value": $0.rawValue, "label": t[text: "kind_q_\($0.rawValue)"], "selected": selected == $0.rawValue] }
    }

    func createSurvey(_ request: Request, _ staff: Staff) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await surveys(request, staff, form: form, errors: ["title": "error_session"])
        }
        let language = try await web.pageLanguage(request)
        let defaultLanguage = language.district.defaultLanguage
        var errors: [String: String] = [:]
        let initiative = form["initiative_id"].flatMap { Int64($0) }
        if initiative.map({ staff.principal.scope.covers(initiatives: [$0]) }) != true { errors["initiative_id"] = "error_initiative" }
        if (form["title"] ?? "").isEmpty { errors["title"] = "console_error_title" }
        if (form["prompt"] ?? "").isEmpty { errors["prompt"] = "console_error_prompt" }
        let opens = form["opens_at"].flatMap { LiaisonPages.parseTime($0, in: language.timeZone) }
        if opens == nil { errors["opens_at"] = "console_error_time" }
        guard errors.isEmpty, let initiative, let opens, let kind = form["kind"].flatMap(QuestionKind.init(rawValue:)) else {
            return try await surveys(request, staff, form: form, errors: errors.isEmpty ? ["kind": "error_invalid"] : errors)
        }
        // A choice question starts with two choices to rename: it needs two to be valid.
        let choices =
            kind == .choice || kind == .multiChoice
            ? ["1", "2"].map {
                Choice(value: "option_\($0)", label: Translated([defaultLanguage: language.strings[text: "console_choice"] + " " + $0]))
            }
            : []
        do {
            let survey = try await web.database.transaction { db in
                let made = try await Surveys().create(
                    .init(
                        initiativeID: initiative,
                        title: Translated([defaultLanguage: form["title"] ?? ""]),
                        opensAt: opens,
                        closesAt: nil,
                        anonymous: form["anonymous"] == "yes",
                        questions: [.init(kind: kind, prompt: Translated([defaultLanguage: form["prompt"] ?? ""]), choices: choices)],
                        publish: false
                    ),
                    on: db
                )
                try await Access.audit("create", "survey", id: made.id, old: nil as Int?, new: made.schema(language.district.languageSet), on: db)
                return made
            }
            return Response(status: .seeOther, headers: [.location: "/console/surveys/\(survey.id)?lang=\(language.code)"])
        } catch let error as EngagementError where error.code == .invalid {
            return try await surveys(request, staff, form: form, errors: ["title": "console_error_check"])
        }
    }

    // MARK: The builder

    func builder(
        _ request: Request,
        id: Int64,
        form: FormFields?,
        errors: [String],
        notice: String?,
        status: HTTPResponse.Status = .ok
    )
        async throws -> Response
    {
        let language = try await web.pageLanguage(request)
        let t = language.strings
        let found: Survey
        do {
            found = try await web.database.connection { try await Surveys().survey(id: id, on: $0) }
            try Access.reach({ $0.covers(initiatives: [found.initiativeID]) }, "survey")
        } catch let error as EngagementError where error.code == .notFound {
            return try await web.notFound(request, language)
        }
        let languages = language.district.languages
        let defaultLanguage = language.district.defaultLanguage
        let answered = try await web.database.connection { try await Surveys().answeredQuestions(surveyID: id, on: $0) }
        func texts(_ translated: Translated?, _ name: String, _ index: Int, multiline: Bool = false) -> [[String: Any]] {
            languages.map { code -> [String: Any] in
                let value = translated?[code] ?? ""
                return [
                    "name": "q\(index)_\(name)_\(code)", "code": code, "value": value, "missing": value.isEmpty && translated != nil,
                    "languageName": web.strings.strings(code, fallback: code)[text: "language_name"], "multiline": multiline,
                ]
            }
        }
        let questions = found.questions.enumerated().map { index, question -> [String: Any] in
            [
                "index": index, "number": index + 1, "id": question.id, "version": question.version,
                "kinds": Self.kinds(t, selected: question.kind.rawValue), "required": question.required,
                "answered": answered.contains(question.id), "first": index == 0, "last": index == found.questions.count - 1,
                "prompts": texts(question.prompt, "prompt", index), "helps": texts(question.help ?? Translated(), "help", index),
                "hasChoices": question.kind == .choice || question.kind == .multiChoice,
                "isText": question.kind == .text, "followUp": question.followUp,
                "isRating": question.kind == .rating0to10, "recommendation": question.recommendation,
                "values": question.choices.map(\.value).joined(separator: "\n"),
                "labels": languages.map { code -> [String: Any] in
                    let lines = question.choices.map { $0.label[code] ?? "" }
                    return [
                        "name": "q\(index)_labels_\(code)", "code": code, "value": lines.joined(separator: "\n"),
                        "missing": lines.contains(where: \.isEmpty),
                        "languageName": web.strings.strings(code, fallback: code)[text: "language_name"],
                    ]
                },
            ]
        }
        let missing = language.district.languageSet.missing(in: found.texts)
        let zone = language.timeZone
        var view: [String: Any] = [
            "title": language.text(found.title).text, "surveyID": found.id, "state": t[text: Self.state(found)],
            "isDraft": found.publishedAt == nil, "isOpen": found.isOpen(), "version": try API.etag(found.schema(language.district.languageSet)),
            "titles": languages.map { code -> [String: Any] in
                let value = found.title[code] ?? ""
                return [
                    "name": "title_\(code)", "code": code, "value": value, "missing": value.isEmpty,
                    "languageName": web.strings.strings(code, fallback: code)[text: "language_name"],
                ]
            },
            "opensAt": Self.local(found.opensAt, zone), "closesAt": found.closesAt.map { Self.local($0, zone) } ?? "", "zone": zone.identifier,
            "anonymous": found.anonymous, "questions": questions, "count": found.questions.count,
            "newKinds": Self.kinds(t, selected: nil), "defaultLanguage": defaultLanguage,
            "missing": missing.map { web.strings.strings($0, fallback: $0)[text: "language_name"] }.joined(separator: ", "),
            "hasMissing": !missing.isEmpty,
            "previews": languages.map {
                ["href": "/console/surveys/\(found.id)/preview?lang=\($0)", "name": web.strings.strings($0, fallback: $0)[text: "language_name"]]
            },
            "notice": notice ?? false,
            "hasErrors": !errors.isEmpty, "errors": errors.map { ["target": "questions", "message": $0] },
        ]
        if form != nil { view["reloaded"] = true }
        return try await web.page("console-survey", view, request: request, language: language, status: status, form: true)
    }

    /// A time as the `datetime-local` control shows it, on the district's clock.
    static func local(_ date: Date, _ zone: TimeZone) -> String {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.timeZone = zone
        format.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return format.string(from: date)
    }

    /// The builder form read back: the questions in their order after `action` (up/down/remove
    /// of one, or a new one added at the end).
    static func edits(_ form: FormFields, languages: [String], defaultLanguage: String) -> [Surveys.QuestionEdit] {
        let count = min(Int(form["count"] ?? "") ?? 0, 100)
        func translated(_ name: String) -> Translated {
            var texts: [String: String] = [:]
            for code in languages {
                if let text = form[name + "_" + code]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty { texts[code] = text }
            }
            return Translated(texts)
        }
        func lines(_ name: String) -> [String] {
            // Browsers send a textarea's lines with CRLF, one Character in Swift: split on any newline.
            (form[name] ?? "").split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
        }
        var edits: [Surveys.QuestionEdit] = (0..<count).compactMap { index in
            guard let kind = form["q\(index)_kind"].flatMap(QuestionKind.init(rawValue:)) else { return nil }
            let values = lines("q\(index)_values").filter { !$0.isEmpty }
            let labels = Dictionary(uniqueKeysWithValues: languages.map { ($0, lines("q\(index)_labels_\($0)")) })
            let choices = values.enumerated().map { position, value in
                var texts: [String: String] = [:]
                for code in languages {
                    if let label = labels[code], position < label.count, !label[position].isEmpty { texts[code] = label[position] }
                }
                return Choice(value: value, label: Translated(texts))
            }
            let help = translated("q\(index)_help")
            return Surveys.QuestionEdit(
                id: form["q\(index)_id"].flatMap { Int64($0) },
                fields: .init(
                    kind: kind,
                    prompt: translated("q\(index)_prompt"),
                    help: help.isEmpty ? nil : help,
                    required: form["q\(index)_required"] == "yes",
                    choices: kind == .choice || kind == .multiChoice ? choices : [],
                    recommendation: kind == .rating0to10 && form["q\(index)_recommendation"] == "yes",
                    followUp: kind == .text && form["q\(index)_follow_up"] == "yes"
                )
            )
        }
        let action = form["action"] ?? "save"
        let parts = action.split(separator: ":")
        if parts.count == 2, let index = Int(parts[1]), edits.indices.contains(index) {
            switch parts[0] {
            case "up" where index > 0: edits.swapAt(index, index - 1)
            case "down" where index < edits.count - 1: edits.swapAt(index, index + 1)
            case "remove": edits.remove(at: index)
            default: break
            }
        }
        if let prompt = form["new_prompt"]?.trimmingCharacters(in: .whitespacesAndNewlines), !prompt.isEmpty,
            let kind = form["new_kind"].flatMap(QuestionKind.init(rawValue:))
        {
            let choices =
                kind == .choice || kind == .multiChoice
                ? ["1", "2"].map { Choice(value: "option_\($0)", label: Translated([defaultLanguage: "Option \($0)"])) } : []
            edits.append(.init(id: nil, fields: .init(kind: kind, prompt: Translated([defaultLanguage: prompt]), choices: choices)))
        }
        return edits
    }

    func saveSurvey(_ request: Request, id: Int64) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 512 * 1024))
        let language = try await web.pageLanguage(request)
        let t = language.strings
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await builder(request, id: id, form: form, errors: [t[text: "error_session"]], notice: nil, status: .forbidden)
        }
        let languages = language.district.languages
        var title: [String: String] = [:]
        for code in languages {
            if let text = form["title_\(code)"]?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty { title[code] = text }
        }
        let opens = form["opens_at"].flatMap { LiaisonPages.parseTime($0, in: language.timeZone) }
        let closesText = form["closes_at"] ?? ""
        let closes = closesText.isEmpty ? nil : LiaisonPages.parseTime(closesText, in: language.timeZone)
        if opens == nil || (!closesText.isEmpty && closes == nil) {
            return try await builder(request, id: id, form: form, errors: [t[text: "console_error_time"]], notice: nil, status: .unprocessableContent)
        }
        let changes = Surveys.SurveyChanges(
            title: Translated(title),
            opensAt: opens,
            closesAt: .some(closes),
            anonymous: form["anonymous"] == "yes",
            questions: Self.edits(form, languages: languages, defaultLanguage: language.district.defaultLanguage)
        )
        return try await change(request, id: id) {
            try await api.edit("update", API.survey, id: id, ifMatch: form["version"] ?? "") { survey, db in
                // The form holds every language: a text emptied is removed, not kept.
                try await Surveys().update(id: survey.id, changes, replacingTexts: true, on: db)
            }
        }
    }

    /// Runs an edit and shows the builder again: saved, or what stopped it, in words.
    func change(_ request: Request, id: Int64, _ work: () async throws -> Any) async throws -> Response {
        let t = try await web.pageLanguage(request).strings
        do {
            _ = try await work()
            return try await builder(request, id: id, form: nil, errors: [], notice: t[text: "saved"])
        } catch let error as EngagementError where error.code == .notFound {
            return try await web.notFound(request, try await web.pageLanguage(request))
        } catch let error as EngagementError {
            return try await builder(request, id: id, form: nil, errors: [Self.words(error, t)], notice: nil, status: Self.status(error))
        }
    }

    func surveyAction(_ request: Request, id: Int64, action: String) async throws -> Response {
        let form = FormFields(try await request.body.collect(upTo: 16 * 1024))
        let language = try await web.pageLanguage(request)
        guard try await web.forms.check(request, form: form, minimumFillTime: 0) == .person else {
            return try await builder(request, id: id, form: form, errors: [language.strings[text: "error_session"]], notice: nil, status: .forbidden)
        }
        switch action {
        case "publish":
            return try await change(request, id: id) {
                try await api.edit("publish", API.survey, id: id, ifMatch: nil) { try await Surveys().publish(id: $0.id, on: $1) }
            }
        case "close":
            return try await change(request, id: id) {
                try await api.edit("close", API.survey, id: id, ifMatch: nil) { try await Surveys().close(id: $0.id, on: $1) }
            }
        case "duplicate":
            let opens = form["opens_at"].flatMap { LiaisonPages.parseTime($0, in: language.timeZone) } ?? Date().addingTimeInterval(7 * 86_400)
            do {
                let wave = try await web.database.transaction { db in
                    let earlier = try await Surveys().survey(id: id, on: db)
                    try Access.reach({ $0.covers(initiatives: [earlier.initiativeID]) }, "survey")
                    let made = try await Surveys().duplicate(id: id, opensAt: opens, closesAt: nil, on: db)
                    try await Access.audit("create", "survey", id: made.id, old: nil as Int?, new: made.schema(language.district.languageSet), on: db)
                    return made
                }
                return Response(status: .seeOther, headers: [.location: "/console/surveys/\(wave.id)?lang=\(language.code)"])
            } catch let error as EngagementError where error.code == .notFound {
                return try await web.notFound(request, language)
            }
        default:
            return try await web.notFound(request, language)
        }
    }

    /// The survey exactly as a family sees it, in the language of the page, draft or not.
    func preview(_ request: Request, id: Int64) async throws -> Response {
        let language = try await web.pageLanguage(request)
        do {
            let survey = try await web.database.connection { try await Surveys().survey(id: id, on: $0) }
            try Access.reach({ $0.covers(initiatives: [survey.initiativeID]) }, "survey")
            return try await web.surveyPage(survey, request: request, language: language, form: nil, errors: [:], preview: true)
        } catch let error as EngagementError where error.code == .notFound {
            return try await web.notFound(request, language)
        }
    }
}
