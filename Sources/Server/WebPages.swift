import Crypto
import Engagement
import Foundation
import HTTPTypes
import Hummingbird
import InputParsing
import Mustache

/// The public pages: what families and community members use, on a phone, in English or
/// Spanish, without JavaScript or an account. Templates in Web/templates, strings in
/// Web/strings; every value is HTML-escaped by Mustache. See docs/web.md.
struct WebPages: Sendable {
    let database: Store
    let library: MustacheLibrary
    let strings: WebStrings
    let forms: FormGuard
    let limiter: SubmissionLimiter
    let stylesheet: ByteBuffer
    let publicURL: String?

    /// The shipped Mustache templates, name to text.
    static func templates() throws -> [String: String] {
        guard let folder = Bundle.module.url(forResource: "Web/templates", withExtension: nil) else {
            throw HTTPError(.internalServerError, message: "Web/templates is missing from the bundle")
        }
        var templates: [String: String] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".mustache") {
            templates[String(file.dropLast(".mustache".count))] = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
        }
        return templates
    }

    init(database: Store, limiter: SubmissionLimiter = SubmissionLimiter(), publicURL: String? = nil) throws {
        guard let css = Bundle.module.url(forResource: "Web/static/chorus", withExtension: "css") else {
            throw HTTPError(.internalServerError, message: "the web resources are missing from the bundle")
        }
        var library: [String: MustacheTemplate] = [:]
        for (name, text) in try Self.templates() { library[name] = try MustacheTemplate(string: text) }
        self.database = database
        self.library = MustacheLibrary(templates: library)
        self.strings = try WebStrings()
        self.forms = FormGuard(database: database)
        self.limiter = limiter
        self.publicURL = publicURL
        self.stylesheet = ByteBuffer(bytes: try Data(contentsOf: css))
    }

    func addRoutes(to router: Router<ChorusContext>) {
        let pages = router.group().add(middleware: PageHeadersMiddleware())
        pages.get("/") { request, _ in try await home(request) }
        pages.get("/surveys/:id") { request, context in try await survey(request, id: try context.parameters.require("id", as: Int64.self)) }
        pages.post("/surveys/:id") { request, context in
            try await submitSurvey(request, context: context, id: try context.parameters.require("id", as: Int64.self))
        }
        pages.get("/feedback") { request, _ in try await feedback(request) }
        pages.post("/feedback") { request, context in try await submitFeedback(request, context: context) }
        pages.get("/volunteer/opportunities/:id") { request, context in
            try await opportunity(request, id: try context.parameters.require("id", as: Int64.self))
        }
        pages.get("/volunteer/:id") { request, context in try await shift(request, id: try context.parameters.require("id", as: Int64.self)) }
        pages.post("/volunteer/:id") { request, context in
            try await signUp(request, context: context, id: try context.parameters.require("id", as: Int64.self))
        }
        addMessageLinkRoutes(to: router)
        addEventRoutes(to: router)
        addHoursRoutes(to: router)
        addInitiativePageRoutes(to: router)
        router.get("/static/chorus.css") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/css; charset=utf-8"
            headers[.cacheControl] = "public, max-age=3600"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: stylesheet))
        }
    }

    // MARK: Pages

    func home(_ request: Request) async throws -> Response {
        let language = try await pageLanguage(request)
        let now = Date()
        let (surveys, opportunities, events) = try await database.snapshot { db in
            (
                try await Surveys().surveys(initiativeID: nil, cursor: nil, limit: 200, on: db).items.filter { $0.isOpen(at: now) },
                try await Volunteering().opportunities(initiativeID: nil, on: db),
                try await EventRSVPs().upcoming(now: now, on: db)
            )
        }
        // Each opportunity once, with its next dates (places left), not one long list of shifts.
        let schools = try await database.connection { try await ReferenceData().allSchools(on: $0) }
        let grouped = opportunities.compactMap { opportunity in
            opportunityView(opportunity, schools: schools, language: language, now: now, limit: 3)
        }
        let view: [String: Any] = [
            "title": language.strings[text: "site_title"],
            "surveys": surveys.map { survey -> [String: Any] in
                [
                    "id": survey.id, "title": language.view(survey.title),
                    "closes": survey.closesAt.map { language.when($0) } ?? false,
                ]
            },
            "opportunities": grouped,
            "events": events.map { ["id": $0.id, "title": language.view($0.title), "when": language.when($0.startsAt)] as [String: Any] },
        ]
        return try await page("home", view, request: request, language: language)
    }

    func survey(_ request: Request, id: Int64) async throws -> Response {
        let language = try await pageLanguage(request)
        guard let survey = try await openSurvey(id) else { return try await notFound(request, language) }
        return try await surveyPage(survey, request: request, language: language, form: nil, errors: [:])
    }

    func submitSurvey(_ request: Request, context: ChorusContext, id: Int64) async throws -> Response {
        let language = try await pageLanguage(request)
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        // The survey again, with what was entered and what is wrong with it.
        func again(_ survey: Survey, _ errors: [String: String]) async throws -> Response {
            try await surveyPage(survey, request: request, language: language, form: form, errors: errors, status: .unprocessableContent)
        }
        // The limits and the form guard first: a refused post reads no survey.
        let refusal = try await screen(request, form: form, context: context, language: language) {
            guard let survey = try await openSurvey(id) else { return try await notFound(request, language) }
            return try await again(survey, ["form": "error_session"])
        }
        if let refusal { return refusal }
        // The survey is read once: to show it again, and by the domain to check the answers.
        guard let survey = try await openSurvey(id) else { return try await notFound(request, language) }
        let schoolID = form["school_id"].flatMap { Int64($0) }
        if form["school_id"] != nil && schoolID == nil { return try await again(survey, ["school": "error_school"]) }
        // An invitation's link answers once; a forged or another survey's token is an open link.
        let invitation = try await invitation(form["invitation"], survey: survey)
        if invitation?.responded == true {
            return try await message(request, language, "invitation_used_title", "invitation_used_text", status: .conflict)
        }
        let fields = Submissions.ResponseFields(
            group: form["group"].flatMap(StakeholderGroup.init(rawValue:)),
            schoolID: schoolID,
            language: language.code,
            answers: Self.answers(form, for: survey),
            contact: survey.anonymous ? nil : Self.contact(form),
            invitedParticipantID: invitation?.participantID
        )
        do {
            let receipt = try await database.transaction { try await Submissions().submitResponse(to: survey, fields, on: $0) }
            if let invitation {
                // Its own transaction, after the response's (A4). The response is committed
                // already: a failure here costs at most a reminder, never the answer.
                _ = try? await database.transaction { try await SurveyInvitations().markResponded(id: invitation.id, on: $0) }
            }
            return try await thanks(request, language, message: "thanks_text", receipt: receipt.receipt)
        } catch let error as EngagementError where error.code == .invalid {
            var errors = Self.pageErrors(error.fields)
            // A number that was given but is not one is wrong rather than missing.
            for question in survey.questions where question.kind == .likert5 || question.kind == .rating0to10 {
                if let value = form["q\(question.id)"], Int(value.trimmingCharacters(in: .whitespaces)) == nil {
                    errors["q\(question.id)"] = "error_invalid"
                }
            }
            return try await again(survey, errors)
        }
    }

    /// A survey form decoded into the API's answers, one per question answered: `q<id>` fields,
    /// every value of a multiple choice. A number that is not one is sent as no answer, which the
    /// domain reports against its question.
    static func answers(_ form: FormFields, for survey: Survey) -> [Answer] {
        survey.questions.compactMap { question in
            let field = "q\(question.id)"
            switch question.kind {
            case .text:
                return form[field].map { Answer(questionID: question.id, text: $0) }
            case .likert5, .rating0to10:
                return form[field].map { Answer(questionID: question.id, number: Int($0.trimmingCharacters(in: .whitespaces))) }
            case .choice:
                return form[field].map { Answer(questionID: question.id, choices: [$0]) }
            case .multiChoice:
                let values = form.all(field).filter { !$0.isEmpty }
                return values.isEmpty ? nil : Answer(questionID: question.id, choices: values)
            }
        }
    }

    /// The domain's typed field errors as the page's: by question where they concern one, else
    /// by the form control of the field; messages are keys of Web/strings.
    static func pageErrors(_ fields: [EngagementError.FieldError]) -> [String: String] {
        var errors: [String: String] = [:]
        for field in fields {
            if let question = field.questionID {
                errors["q\(question)"] = field.reason == .required ? "error_required" : errors["q\(question)"] ?? "error_invalid"
            } else {
                errors[formField(field.field)] = message(field.field)
            }
        }
        return errors
    }

    func feedback(_ request: Request) async throws -> Response {
        try await feedbackPage(request: request, language: try await pageLanguage(request), form: nil, errors: [:])
    }

    func submitFeedback(_ request: Request, context: ChorusContext) async throws -> Response {
        let language = try await pageLanguage(request)
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        let refusal = try await screen(request, form: form, context: context, language: language) {
            try await feedbackPage(request: request, language: language, form: form, errors: ["form": "error_session"], status: .unprocessableContent)
        }
        if let refusal { return refusal }
        var errors: [String: String] = [:]
        let initiativeID = form["initiative_id"].flatMap { Int64($0) }
        if initiativeID == nil { errors["initiative"] = "error_initiative" }
        let group = form["group"].flatMap(StakeholderGroup.init(rawValue:))
        if group == nil { errors["group"] = "error_group" }
        let schoolID = form["school_id"].flatMap { Int64($0) }
        if form["school_id"] != nil && schoolID == nil { errors["school"] = "error_school" }
        if form["comment"] == nil { errors["comment"] = "error_comment" }
        if errors.isEmpty, let initiativeID, let comment = form["comment"] {
            do {
                let receipt = try await database.transaction { db in
                    try await Submissions().submitFeedback(
                        .init(
                            initiativeID: initiativeID,
                            schoolID: schoolID,
                            group: group,
                            language: language.code,
                            comment: comment,
                            contact: Self.contact(form),
                            followUpdates: form["follow_updates"] == "yes"
                        ),
                        on: db
                    )
                }
                return try await thanks(request, language, message: "thanks_text", receipt: receipt.receipt)
            } catch let error as EngagementError where error.code == .invalid || error.code == .notFound || error.code == .conflict {
                errors.merge(Self.formErrors(error, otherwise: "initiative")) { $1 }
            }
        }
        return try await feedbackPage(request: request, language: language, form: form, errors: errors, status: .unprocessableContent)
    }

    /// An opportunity with its upcoming shifts (the first `limit`, or all), or nil when it has none.
    func opportunityView(_ opportunity: Opportunity, schools: [School], language: PageLanguage, now: Date, limit: Int?) -> [String: Any]? {
        guard opportunity.cancelledAt == nil else { return nil }
        let upcoming = opportunity.shifts.filter { $0.startsAt > now && $0.cancelledAt == nil }.sorted { $0.startsAt < $1.startsAt }
        guard !upcoming.isEmpty else { return nil }
        let shown = limit.map { Array(upcoming.prefix($0)) } ?? upcoming
        return [
            "id": opportunity.id, "title": language.view(opportunity.title),
            "description": opportunity.description.isEmpty ? false : language.view(opportunity.description),
            "where": schools.first { $0.id == opportunity.schoolID }?.name ?? false,
            "shifts": shown.map { shift -> [String: Any] in
                [
                    "id": shift.id, "when": language.span(shift.startsAt, shift.endsAt),
                    "remaining": language.plural("places_left", shift.remaining), "full": shift.remaining == 0,
                ]
            },
            "more": upcoming.count > shown.count ? language.plural("more_dates", upcoming.count) : false,
        ]
    }

    func opportunity(_ request: Request, id: Int64) async throws -> Response {
        let language = try await pageLanguage(request)
        let (opportunities, schools) = try await database.snapshot { db in
            (try await Volunteering().opportunities(initiativeID: nil, on: db), try await ReferenceData().allSchools(on: db))
        }
        guard let found = opportunities.first(where: { $0.id == id }),
            var view = opportunityView(found, schools: schools, language: language, now: Date(), limit: nil)
        else { return try await notFound(request, language) }
        view["title"] = language.text(found.title).text
        view["titleLang"] = language.text(found.title).lang ?? false
        return try await page("opportunity", view, request: request, language: language)
    }

    func shift(_ request: Request, id: Int64) async throws -> Response {
        let language = try await pageLanguage(request)
        guard let found = try await openShift(id) else { return try await notFound(request, language) }
        return try await shiftPage(found, request: request, language: language, form: nil, errors: [:])
    }

    func signUp(_ request: Request, context: ChorusContext, id: Int64) async throws -> Response {
        let language = try await pageLanguage(request)
        guard let found = try await openShift(id) else { return try await notFound(request, language) }
        let form = FormFields(try await request.body.collect(upTo: 64 * 1024))
        let refusal = try await screen(request, form: form, context: context, language: language) {
            try await shiftPage(
                found,
                request: request,
                language: language,
                form: form,
                errors: ["form": "error_session"],
                status: .unprocessableContent
            )
        }
        if let refusal { return refusal }
        var errors: [String: String] = [:]
        let group = form["group"].flatMap(StakeholderGroup.init(rawValue:))
        if group == nil { errors["group"] = "error_group" }
        if errors.isEmpty, let group {
            do {
                let signup = try await database.transaction { db in
                    try await Volunteering().signUp(
                        shiftID: id,
                        group: group,
                        contact: Self.contact(form) ?? ContactDetails(consent: false),
                        language: language.code,
                        on: db
                    )
                }
                return try await thanks(
                    request,
                    language,
                    message: signup.status == .waitlisted ? "waitlisted" : "signed_up",
                    receipt: "S-\(signup.id)"
                )
            } catch let error as EngagementError where error.code == .invalid || error.code == .conflict {
                errors.merge(Self.formErrors(error, otherwise: "contact")) { $1 }
            }
        }
        return try await shiftPage(found, request: request, language: language, form: form, errors: errors, status: .unprocessableContent)
    }

    // MARK: Guards

    /// The submission limits for `client`: this server's in memory first (cheap, and a flood
    /// never reaches the database), then the bucket all servers share in PostgreSQL.
    func allowed(_ client: String, perMinute: Double? = nil, burst: Double? = nil) async throws -> Bool {
        guard limiter.allow(client, perMinute: perMinute, burst: burst) else { return false }
        return try await sharedAllowed(client, perMinute: perMinute, burst: burst)
    }

    /// The bucket of `client` that every server shares (SharedLimits).
    func sharedAllowed(_ client: String, perMinute: Double? = nil, burst: Double? = nil) async throws -> Bool {
        // Keyed by an HMAC under the district's form secret: the table never holds an address.
        let key = Data(HMAC<SHA256>.authenticationCode(for: Data(client.utf8), using: try await forms.secret()))
        return try await database.connection {
            try await SharedLimits().take(
                key,
                perMinute: perMinute ?? limiter.perClientPerMinute,
                burst: burst ?? limiter.perClientBurst,
                on: $0
            )
        }
    }

    /// Cross-site posts (403), floods (429), bots (a thank-you, nothing stored) and expired or
    /// missing form tokens (`expired`: the form again), before any validation or database work.
    func screen(
        _ request: Request,
        form: FormFields,
        context: ChorusContext,
        language: PageLanguage,
        expired: () async throws -> Response
    ) async throws -> Response? {
        // This server's limits before anything that may read the database; the deployment's
        // (every server's submissions from this client together, in PostgreSQL) once the form
        // is known to be a person's, so bots and forgeries never reach the database.
        let client = limiter.client(of: request, context: context)
        guard limiter.allow(client) else {
            return try await message(request, language, "too_many_title", "too_many_text", status: .tooManyRequests)
        }
        let verdict = try await forms.check(request, form: form)
        if verdict == .crossSite { return try await message(request, language, "forbidden_title", "forbidden_text", status: .forbidden) }
        if verdict == .bot { return try await thanks(request, language, message: "thanks_text", receipt: nil) }
        if verdict == .expired { return try await expired() }
        guard try await sharedAllowed(client) else {
            return try await message(request, language, "too_many_title", "too_many_text", status: .tooManyRequests)
        }
        return nil
    }

    // MARK: Views

    func surveyPage(
        _ survey: Survey,
        request: Request,
        language: PageLanguage,
        form: FormFields?,
        errors: [String: String],
        status: HTTPResponse.Status = .ok,
        preview: Bool = false
    ) async throws -> Response {
        let t = language.strings
        let questions: [[String: Any]] = survey.questions.map { question in
            let field = "q\(question.id)"
            let chosen = Set(form?.all(field) ?? [])
            // (value, label, the label's language when it fell back to another)
            var options: [(String, String, String?)] = []
            switch question.kind {
            case .likert5: options = (1...5).map { (String($0), "\($0) — \(t[text: "likert_\($0)"])", nil) }
            case .rating0to10: options = (0...10).map { (String($0), String($0), nil) }
            case .choice, .multiChoice:
                options = question.choices.map {
                    let label = language.text($0.label)
                    return ($0.value, label.text, label.lang)
                }
            case .text: break
            }
            var help = question.help.map { language.text($0).text }
            if question.kind == .rating0to10 {
                help = [help, "\(t[text: "rating_low"]), \(t[text: "rating_high"])"].compactMap { $0 }.joined(separator: " ")
            }
            return [
                "anchor": field, "field": field, "prompt": language.view(question.prompt), "help": help ?? false,
                "required": question.required, "isText": question.kind == .text, "value": form?[field] ?? "",
                "error": errors[field].map { t[$0] ?? $0 } ?? false,
                "options": options.enumerated().map { index, option -> [String: Any] in
                    [
                        "optionID": "\(field)-\(index)", "value": option.0, "label": option.1, "labelLang": option.2 ?? false,
                        "checked": chosen.contains(option.0),
                        "multiple": question.kind == .multiChoice, "field": field,
                    ]
                },
            ]
        }
        var view = try await formView(
            form: form,
            errors: errors,
            language: language,
            anchors: Dictionary(uniqueKeysWithValues: survey.questions.map { ("q\($0.id)", "q\($0.id)") })
        )
        view["title"] = language.text(survey.title).text
        view["titleLang"] = language.text(survey.title).lang ?? false
        view["surveyID"] = survey.id
        view["questions"] = questions
        view["anonymous"] = survey.anonymous
        // An invitation's token rides along as a hidden field (checked when the answers come).
        let invitation = form?["invitation"] ?? request.uri.queryParameters["invitation"].map(String.init)
        view["invitation"] = invitation.flatMap { $0.count <= 64 ? $0 : nil } ?? false
        // Staff see the page exactly as a family will, with a note and no way to send it.
        view["preview"] = preview
        return try await page("survey", view, request: request, language: language, status: status, form: true)
    }

    func feedbackPage(
        request: Request,
        language: PageLanguage,
        form: FormFields?,
        errors: [String: String],
        status: HTTPResponse.Status = .ok
    )
        async throws -> Response
    {
        let initiatives = try await database.connection { try await ReferenceData().allInitiatives(on: $0) }
        var view = try await formView(form: form, errors: errors, language: language, anchors: ["initiative": "initiative", "comment": "comment"])
        view["title"] = language.strings[text: "give_feedback"]
        view["initiatives"] = initiatives.filter { $0.status == "active" }.map { initiative -> [String: Any] in
            ["id": initiative.id, "title": language.view(initiative.title), "selected": form?["initiative_id"] == String(initiative.id)]
        }
        view["initiativeError"] = errors["initiative"].map { language.strings[$0] ?? $0 } ?? false
        view["commentError"] = errors["comment"].map { language.strings[$0] ?? $0 } ?? false
        return try await page("feedback", view, request: request, language: language, status: status, form: true)
    }

    func shiftPage(
        _ found: (Opportunity, Shift),
        request: Request,
        language: PageLanguage,
        form: FormFields?,
        errors: [String: String],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let (opportunity, shift) = found
        var view = try await formView(form: form, errors: errors, language: language, anchors: [:])
        view["title"] = language.text(opportunity.title).text
        view["titleLang"] = language.text(opportunity.title).lang ?? false
        view["description"] = opportunity.description.isEmpty ? false : language.view(opportunity.description)
        view["shiftID"] = shift.id
        view["when"] = language.when(shift.startsAt)
        view["remaining"] = language.plural("places_left", shift.remaining)
        view["full"] = shift.remaining == 0
        return try await page("shift", view, request: request, language: language, status: status, form: true)
    }

    /// What every form shows: the error summary linked to the fields, the stakeholder groups and
    /// schools, and the values entered so far.
    /// `schools`, when the caller read them already (the event pages name the event's school).
    func formView(
        form: FormFields?,
        errors: [String: String],
        language: PageLanguage,
        anchors: [String: String],
        schools known: [School]? = nil
    ) async throws -> [String: Any] {
        let t = language.strings
        var schools = known ?? []
        if known == nil { schools = try await database.connection { try await ReferenceData().allSchools(on: $0) } }
        let targets = anchors.merging(["group": "group", "school": "school", "contact": "contact-email", "form": "main"]) { $1 }
        let order = ["form"] + anchors.keys.sorted { ($0.count, $0) < ($1.count, $1) } + ["group", "school", "contact"]
        return [
            "hasErrors": !errors.isEmpty,
            "errors": order.compactMap { key -> [String: Any]? in
                guard let message = errors[key] else { return nil }
                return ["target": targets[key] ?? "main", "message": t[message] ?? message]
            },
            "groups": StakeholderGroup.allCases.map { group -> [String: Any] in
                ["value": group.rawValue, "label": t["group_\(group.rawValue)"] ?? group.rawValue, "selected": form?["group"] == group.rawValue]
            },
            "schools": schools.map { ["id": $0.id, "name": $0.name, "selected": form?["school_id"] == String($0.id)] as [String: Any] },
            "groupError": errors["group"].map { t[$0] ?? $0 } ?? false,
            "schoolError": errors["school"].map { t[$0] ?? $0 } ?? false,
            "contactError": errors["contact"].map { t[$0] ?? $0 } ?? false,
            "values": [
                "contact_name": form?["contact_name"] ?? "", "contact_email": form?["contact_email"] ?? "",
                "contact_phone": form?["contact_phone"] ?? "", "contact_consent": form?["contact_consent"] == "yes",
                "contact_sms": form?["contact_sms"] == "yes", "follow_updates": form?["follow_updates"] == "yes",
                "comment": form?["comment"] ?? "",
            ] as [String: Any],
        ]
    }

    func thanks(_ request: Request, _ language: PageLanguage, message: String, receipt: String?) async throws -> Response {
        let view: [String: Any] = [
            "title": language.strings[text: "thanks_title"], "message": language.strings[text: message], "receipt": receipt ?? false,
        ]
        return try await page("thanks", view, request: request, language: language)
    }

    func message(
        _ request: Request,
        _ language: PageLanguage,
        _ heading: String,
        _ text: String,
        status: HTTPResponse.Status
    ) async throws -> Response {
        let view: [String: Any] = [
            "title": language.strings[text: heading], "heading": language.strings[text: heading], "message": language.strings[text: text],
        ]
        return try await page("message", view, request: request, language: language, status: status)
    }

    func notFound(_ request: Request, _ language: PageLanguage) async throws -> Response {
        try await message(request, language, "not_found_title", "not_found_text", status: .notFound)
    }

    func page(
        _ template: String,
        _ view: [String: Any],
        request: Request,
        language: PageLanguage,
        status: HTTPResponse.Status = .ok,
        form: Bool = false
    ) async throws -> Response {
        var view = view
        view["lang"] = language.code
        view["dir"] = language.direction
        view["t"] = language.strings
        // The same page in each of the district's languages, named in its own language: every
        // other query parameter (filters) kept.
        let kept = request.uri.queryParameters.filter { $0.key != "lang" }.map { URLQueryItem(name: String($0.key), value: String($0.value)) }
            .sorted { $0.name < $1.name }
        view["languages"] = language.district.languages.map { code -> [String: Any] in
            var query = URLComponents()
            query.queryItems = kept + [URLQueryItem(name: "lang", value: code)]
            return [
                "code": code, "name": strings.strings(code, fallback: code)[text: "language_name"], "current": code == language.code,
                "url": request.uri.path + "?" + (query.percentEncodedQuery ?? "lang=" + code),
                "dir": PageLanguage.rightToLeft.contains(PageLanguage.primary(code)) ? "rtl" : "ltr",
            ]
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        // A language chosen by link is kept for the next pages.
        if request.uri.queryParameters["lang"].map(String.init) == language.code, PageCookie.value(WebStrings.cookie, in: request) != language.code {
            headers.append(
                HTTPField(name: .setCookie, value: PageCookie.header(WebStrings.cookie, language.code, for: request, maxAge: 365 * 86_400))
            )
        }
        if form {
            let (token, cookie) = try await forms.issue(for: request)
            view["csrf"] = token
            if let cookie { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        }
        let html = library.render(view, withTemplate: template) ?? ""
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    // MARK: Helpers

    func openSurvey(_ id: Int64) async throws -> Survey? {
        do {
            let survey = try await database.connection { try await Surveys().survey(id: id, on: $0) }
            return survey.isOpen() ? survey : nil
        } catch let error as EngagementError where error.code == .notFound {
            return nil
        }
    }

    /// The invitation a survey form's token names, when it is genuine and for this survey.
    func invitation(_ token: String?, survey: Survey) async throws -> SurveyInvitations.Invitation? {
        guard let token else { return nil }
        return try await database.connection { db in
            let tokens = try await LinkTokens.load(on: db)
            guard let id = tokens.id(.surveyInvitation, from: token),
                let invitation = try await SurveyInvitations().invitation(id: id, on: db), invitation.surveyID == survey.id
            else { return nil }
            return invitation
        }
    }

    func openShift(_ id: Int64) async throws -> (Opportunity, Shift)? {
        let opportunities = try await database.connection { try await Volunteering().opportunities(initiativeID: nil, on: $0) }
        for opportunity in opportunities where opportunity.cancelledAt == nil {
            if let shift = opportunity.shifts.first(where: { $0.id == id && $0.startsAt > Date() && $0.cancelledAt == nil }) {
                return (opportunity, shift)
            }
        }
        return nil
    }

    static func contact(_ form: FormFields) -> ContactDetails? {
        let consent = form["contact_consent"] == "yes"
        guard form["contact_name"] != nil || form["contact_email"] != nil || form["contact_phone"] != nil || consent else { return nil }
        return ContactDetails(
            name: form["contact_name"],
            email: form["contact_email"],
            phone: form["contact_phone"],
            consent: consent,
            textMessages: form["contact_sms"] == "yes"
        )
    }

    /// A domain error's field as the form's: contact.email → contact, school_id → school.
    static func formField(_ field: String) -> String {
        if field.hasPrefix("contact") { return "contact" }
        if field.hasPrefix("school") { return "school" }
        if field.hasPrefix("initiative") { return "initiative" }
        if field.hasPrefix("comment") { return "comment" }
        if field.hasPrefix("group") { return "group" }
        return "form"
    }

    /// A domain error as the form's messages by field; one naming no field shows at `otherwise`.
    static func formErrors(_ error: EngagementError, otherwise: String) -> [String: String] {
        var errors: [String: String] = [:]
        for field in error.fields { errors[formField(field.field)] = message(field.field) }
        if errors.isEmpty { errors[otherwise] = message(otherwise) }
        return errors
    }

    static func message(_ field: String) -> String {
        switch formField(field) {
        case "contact": "error_contact"
        case "school": "error_school"
        case "initiative": "error_initiative"
        case "comment": "error_comment"
        case "group": "error_group"
        default: "error_invalid"
        }
    }

    /// The visitor's language among the district's, with its settings: read for every page, as
    /// staff may change them at any time.
    func pageLanguage(_ request: Request) async throws -> PageLanguage {
        let district = try await database.connection { try await DistrictSettings.current(on: $0) }
        let code = WebStrings.language(of: request, offered: district.languages, fallback: district.defaultLanguage)
        return PageLanguage(code: code, district: district, strings: strings.strings(code, fallback: district.defaultLanguage))
    }
}
