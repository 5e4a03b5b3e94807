import Foundation
import Postgres
import Scoring

/// The inbox (issue 17): every comment, and every text answer to a question marked for
/// follow-up, is a case with a status (new → assigned → answered → closed, or "no action
/// needed" with a reason), an owner, a history and internal notes. A case opens in the
/// submission's transaction, flagged critical at once when its text holds a critical term (the
/// alert goes through the outbox with the same commit); it is routed once the text is scored
/// and its themes are known (`CaseRouting`). See docs/cases.md.
public struct Cases: Sendable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case new, assigned, answered, closed
        case noAction = "no_action"
        public var isOpen: Bool { self == .new || self == .assigned }
    }

    public struct Summary: Sendable, Codable, Equatable {
        public var id: Int64
        public var source: String
        public var initiativeID: Int64
        public var schoolID: Int64?
        public var language: String
        public var status: Status
        public var ownerAccountID: Int64?
        public var ownerName: String?
        public var teamID: Int64?
        public var teamName: String?
        public var critical: Bool
        public var criticalReason: String?
        public var openedAt: Date
        public var firstResponseAt: Date?
        public var text: String
        public var compound: Double?
        public var themes: [String]
        /// Whether the person left a contact that consented to replies (never the contact).
        public var canEmail: Bool

        enum CodingKeys: String, CodingKey {
            case id, source, language, status, critical, text, compound, themes
            case initiativeID = "initiative_id"
            case schoolID = "school_id"
            case ownerAccountID = "owner_account_id"
            case ownerName = "owner_name"
            case teamID = "team_id"
            case teamName = "team_name"
            case criticalReason = "critical_reason"
            case openedAt = "opened_at"
            case firstResponseAt = "first_response_at"
            case canEmail = "can_email"
        }
    }

    public struct HistoryEntry: Sendable, Codable, Equatable {
        public var id: Int64
        public var at: Date
        public var accountID: Int64?
        public var accountName: String?
        public var kind: String
        public var body: String?
        public var published: Bool
        public var emailed: Bool
        enum CodingKeys: String, CodingKey {
            case id, at, kind, body, published, emailed
            case accountID = "account_id"
            case accountName = "account_name"
        }
    }

    public struct Detail: Sendable, Codable, Equatable {
        public var summary: Summary
        public var noActionReason: String?
        public var history: [HistoryEntry]
        enum CodingKeys: String, CodingKey {
            case summary, history
            case noActionReason = "no_action_reason"
        }
    }

    public struct Filter: Sendable, Equatable {
        public var initiativeID: Int64?
        public var schoolID: Int64?
        public var theme: String?
        /// negative, neutral or positive (VADER's ±0.05).
        public var sentiment: String?
        public var language: String?
        /// Opened at least this many days ago.
        public var olderThanDays: Int?
        /// nil: the open ones (new and assigned); "all" for every status.
        public var status: String?
        public var ownerAccountID: Int64?
        public var criticalOnly: Bool
        public var limit: Int

        public init(
            initiativeID: Int64? = nil,
            schoolID: Int64? = nil,
            theme: String? = nil,
            sentiment: String? = nil,
            language: String? = nil,
            olderThanDays: Int? = nil,
            status: String? = nil,
            ownerAccountID: Int64? = nil,
            criticalOnly: Bool = false,
            limit: Int = 100
        ) {
            self.initiativeID = initiativeID
            self.schoolID = schoolID
            self.theme = theme
            self.sentiment = sentiment
            self.language = language
            self.olderThanDays = olderThanDays
            self.status = status
            self.ownerAccountID = ownerAccountID
            self.criticalOnly = criticalOnly
            self.limit = limit
        }

        func validate() throws {
            var validator = Validator()
            validator.id(initiativeID, "initiative_id")
            validator.id(schoolID, "school_id")
            validator.id(ownerAccountID, "owner")
            validator.text(theme, "theme", min: 1, max: 100)
            if let sentiment, !["negative", "neutral", "positive"].contains(sentiment) {
                validator.add("sentiment", "must be negative, neutral or positive")
            }
            if let language, !DistrictSettings.isLanguageTag(language) { validator.add("language", "must be a language tag") }
            validator.range(olderThanDays, "older_than_days", 0...3650)
            if let status, status != "all" && Status(rawValue: status) == nil {
                validator.add("status", "must be new, assigned, answered, closed, no_action or all")
            }
            validator.range(limit, "limit", 1...500)
            try validator.check()
        }
    }

    /// The critical terms of the built-in list; the district's own are added per call.
    static let builtInTerms = CriticalTerms()

    public init() {}

    /// The critical terms in `text`: the built-in ones and the district's.
    public static func criticalTerms(in text: String, on db: PostgresConnection) async throws -> [String] {
        var found = builtInTerms.matches(text).map(\.term)
        let extra = try await db.query("SELECT language, term FROM critical_terms").map {
            CriticalTerms.Term(language: try $0.decode(String.self, at: 0), term: try $0.decode(String.self, at: 1))
        }
        if !extra.isEmpty {
            for term in CriticalTerms(extra: extra, builtIn: false).matches(text) where !found.contains(term.term) { found.append(term.term) }
        }
        return found
    }

    /// Opens the case of a new comment or follow-up answer, in the submission's transaction.
    static func open(
        source: String,
        id: Int64,
        initiativeID: Int64,
        schoolID: Int64?,
        participantID: Int64?,
        language: String?,
        text: String,
        on db: PostgresConnection
    ) async throws {
        let terms = try await criticalTerms(in: text, on: db)
        let reason = terms.isEmpty ? nil : terms.prefix(10).joined(separator: ", ")
        let caseID = try await db.query(
            """
            INSERT INTO cases (source, source_id, initiative_id, school_id, participant_id, language, critical, critical_reason)
            VALUES (\(source), \(id), \(initiativeID), \(schoolID), \(participantID),
                    coalesce(\(language), (SELECT default_language FROM district_settings)), \(reason != nil), \(reason))
            ON CONFLICT (source, source_id) DO NOTHING RETURNING id
            """
        ).first.map { try $0.decode(Int64.self, at: 0) }
        guard let caseID else { return }
        try await history(caseID, "opened", on: db)
        if let reason { try await flagCritical(caseID, reason: reason, recorded: true, on: db) }
    }

    /// Marks a case critical (once) and alerts the district's alert contacts.
    static func flagCritical(_ caseID: Int64, reason: String, recorded: Bool = false, on db: PostgresConnection) async throws {
        if !recorded {
            let changed = try await db.query(
                "UPDATE cases SET critical = true, critical_reason = \(reason), updated_at = now() WHERE id = \(caseID) AND NOT critical"
            ).affectedRows
            guard changed > 0 else { return }
        }
        try await history(caseID, "critical", body: reason, on: db)
        try await Outbox().enqueueAlert(caseID: caseID, on: db)
    }

    @discardableResult
    static func history(
        _ caseID: Int64,
        _ kind: String,
        body: String? = nil,
        by actor: Audit.Actor? = nil,
        published: Bool = false,
        emailed: Bool = false,
        on db: PostgresConnection
    ) async throws -> Int64 {
        try await db.query(
            """
            INSERT INTO case_history (case_id, kind, body, account_id, published, emailed)
            VALUES (\(caseID), \(kind), \(body), \(actor?.accountID), \(published), \(emailed)) RETURNING id
            """
        ).one().decode(Int64.self, at: 0)
    }

    static var summaryColumns: PostgresQuery {
        """
        SELECT c.id, c.source, c.initiative_id, c.school_id, c.language, c.status::text, c.owner_account_id, a.name, c.team_id, t.name,
               c.critical, c.critical_reason, c.opened_at, c.first_response_at, coalesce(f.comment, an.text, ''), s.compound,
               coalesce(ARRAY(SELECT jsonb_array_elements(s.themes) ->> 'theme'), '{}'),
               EXISTS (SELECT 1 FROM contact_consents k JOIN participant_contacts pc ON pc.participant_id = k.participant_id
                       WHERE k.participant_id = c.participant_id AND k.purpose = 'replies' AND k.channel = 'email'
                         AND k.withdrawn_at IS NULL AND pc.email IS NOT NULL AND pc.email_undeliverable_at IS NULL),
               c.no_action_reason
        FROM cases c
        LEFT JOIN staff_accounts a ON a.id = c.owner_account_id
        LEFT JOIN staff_teams t ON t.id = c.team_id
        LEFT JOIN feedback f ON c.source = 'feedback' AND f.id = c.source_id
        LEFT JOIN answers an ON c.source = 'answer' AND an.id = c.source_id
        LEFT JOIN text_scores s ON s.source = c.source AND s.source_id = c.source_id AND s.scorer_version = \(TextScorer.version)
        """
    }

    static func summary(_ row: PostgresRow) throws -> Summary {
        let (id, source, initiativeID, schoolID, language, status, ownerID, ownerName, teamID, teamName) = try row.decode(
            (Int64, String, Int64, Int64?, String, String, Int64?, String?, Int64?, String?).self
        )
        return Summary(
            id: id,
            source: source,
            initiativeID: initiativeID,
            schoolID: schoolID,
            language: language,
            status: Status(rawValue: status) ?? .new,
            ownerAccountID: ownerID,
            ownerName: ownerName,
            teamID: teamID,
            teamName: teamName,
            critical: try row.decode(Bool.self, at: 10),
            criticalReason: try row.decode(String?.self, at: 11),
            openedAt: try row.decode(Date.self, at: 12),
            firstResponseAt: try row.decode(Date?.self, at: 13),
            text: try row.decode(String.self, at: 14),
            compound: try row.decode(Double?.self, at: 15),
            themes: try row.decode([String].self, at: 16),
            canEmail: try row.decode(Bool.self, at: 17)
        )
    }

    /// Cases in the caller's reach, critical first, then oldest first.
    public func list(_ filter: Filter, scope: StaffScope, accountID: Int64?, on db: PostgresConnection) async throws -> [Summary] {
        try filter.validate()
        let statuses: [String] =
            switch filter.status {
            case nil: ["new", "assigned"]
            case "all": Status.allCases.map(\.rawValue)
            case let status?: [status]
            }
        let sentiment = filter.sentiment
        return try await db.query(
            """
            \(Self.summaryColumns)
                WHERE c.status::text = ANY(\(statuses)::text[])
                  AND (\(filter.initiativeID)::bigint IS NULL OR c.initiative_id = \(filter.initiativeID))
                  AND (\(filter.schoolID)::bigint IS NULL OR c.school_id = \(filter.schoolID))
                  AND (\(filter.language)::text IS NULL OR c.language = \(filter.language))
                  AND (\(filter.ownerAccountID)::bigint IS NULL OR c.owner_account_id = \(filter.ownerAccountID))
                  AND (NOT \(filter.criticalOnly) OR c.critical)
                  AND (\(filter.olderThanDays)::int IS NULL OR c.opened_at <= now() - \(filter.olderThanDays)::int * interval '1 day')
                  AND (\(filter.theme)::text IS NULL OR s.themes @> jsonb_build_array(jsonb_build_object('theme', \(filter.theme)::text)))
                  AND (\(sentiment)::text IS NULL
                       OR (\(sentiment) = 'negative' AND s.compound <= -0.05)
                       OR (\(sentiment) = 'positive' AND s.compound >= 0.05)
                       OR (\(sentiment) = 'neutral' AND s.compound > -0.05 AND s.compound < 0.05))
                \(Self.reachCondition(scope, accountID: accountID))
            ORDER BY c.critical DESC, c.opened_at, c.id LIMIT \(filter.limit)
            """
        ).map(Self.summary)
    }

    /// A case is in reach by its school and initiative, or by being the caller's (or their team's).
    static func reachCondition(_ scope: StaffScope, accountID: Int64?) -> PostgresQuery {
        """

          AND ((\(scope.schoolList)::text IS NULL OR c.school_id = ANY(string_to_array(\(scope.schoolList), ',')::bigint[]))
               AND (\(scope.initiativeList)::text IS NULL OR c.initiative_id = ANY(string_to_array(\(scope.initiativeList), ',')::bigint[]))
               OR c.owner_account_id = \(accountID)
               OR c.team_id IN (SELECT team_id FROM staff_team_members WHERE account_id = \(accountID)))
        """
    }

    /// One case with its history, or nil when it does not exist or is out of reach.
    public func detail(_ id: Int64, scope: StaffScope, accountID: Int64?, on db: PostgresConnection) async throws -> Detail? {
        guard
            let row = try await db.query(
                "\(Self.summaryColumns) WHERE c.id = \(id) \(Self.reachCondition(scope, accountID: accountID))"
            ).first
        else { return nil }
        let history = try await db.query(
            """
            SELECT h.id, h.at, h.account_id, a.name, h.kind, h.body, h.published, h.emailed
            FROM case_history h LEFT JOIN staff_accounts a ON a.id = h.account_id WHERE h.case_id = \(id) ORDER BY h.id
            """
        ).map { row in
            let (id, at, accountID, name, kind, body, published, emailed) = try row.decode(
                (Int64, Date, Int64?, String?, String, String?, Bool, Bool).self
            )
            return HistoryEntry(
                id: id,
                at: at,
                accountID: accountID,
                accountName: name,
                kind: kind,
                body: body,
                published: published,
                emailed: emailed
            )
        }
        return Detail(summary: try Self.summary(row), noActionReason: try row.decode(String?.self, at: 18), history: history)
    }

    /// The case under a row lock, for a change: its status and whether it is in reach.
    func locked(_ id: Int64, scope: StaffScope, accountID: Int64?, on db: PostgresConnection) async throws -> (Status, Int64?) {
        guard
            let row = try await db.query(
                "SELECT c.status::text, c.participant_id FROM cases c WHERE c.id = \(id) \(Self.reachCondition(scope, accountID: accountID)) FOR UPDATE OF c"
            ).first
        else { throw EngagementError.notFound("case") }
        let (status, participant) = try row.decode((String, Int64?).self)
        return (Status(rawValue: status) ?? .new, participant)
    }

    /// Gives a case to an account (one who may act on cases) or a team.
    public func assign(
        _ id: Int64,
        accountID: Int64?,
        teamID: Int64?,
        scope: StaffScope,
        actor: Audit.Actor,
        on db: PostgresConnection
    ) async throws {
        guard (accountID == nil) != (teamID == nil) else { throw EngagementError.invalid("owner", "choose a person or a team") }
        let (status, _) = try await locked(id, scope: scope, accountID: actor.accountID, on: db)
        let label: String
        if let accountID {
            guard
                let name = try await db.query(
                    "SELECT name FROM staff_accounts WHERE id = \(accountID) AND active AND role <> 'analyst'"
                ).first
            else { throw EngagementError.invalid("owner", "must be an active account that handles cases") }
            label = try name.decode(String.self, at: 0)
        } else {
            guard let name = try await db.query("SELECT name FROM staff_teams WHERE id = \(teamID)").first else {
                throw EngagementError.invalid("team", "no such team")
            }
            label = try name.decode(String.self, at: 0)
        }
        try await db.query(
            """
            UPDATE cases SET owner_account_id = \(accountID), team_id = \(teamID), updated_at = now(),
                status = CASE WHEN status = 'new' THEN 'assigned'::case_status ELSE status END
            WHERE id = \(id)
            """
        )
        _ = try await Self.history(id, "assigned", body: label, by: actor, on: db)
        try await Audit().record(
            "assign",
            "case",
            id: "\(id)",
            old: ["status": .string(status.rawValue)],
            new: ["owner_account_id": accountID.map { .number(Double($0)) } ?? .null, "team_id": teamID.map { .number(Double($0)) } ?? .null],
            by: actor,
            on: db
        )
    }

    /// An internal note: seen by staff only, never sent or published.
    public func note(_ id: Int64, _ body: String, scope: StaffScope, actor: Audit.Actor, on db: PostgresConnection) async throws {
        var validator = Validator()
        validator.text(body, "note", min: 1, max: 5000)
        try validator.check()
        _ = try await locked(id, scope: scope, accountID: actor.accountID, on: db)
        let entry = try await Self.history(id, "note", body: body, by: actor, on: db)
        // The note's words stay out of the audit log (they may repeat what a family wrote).
        try await Audit().record("note", "case", id: "\(id)", new: ["history_id": .number(Double(entry))], by: actor, on: db)
    }

    public struct ReplyOutcome: Sendable, Equatable {
        /// Messages written to the outbox (0 without a consented contact).
        public var emailed: Int
        public var published: Bool
    }

    /// The owner's reply: emailed, in the family's language, when they left a contact that
    /// consented; published with the (anonymous) comment on the initiative's public page when
    /// staff choose. Either way the case is answered and its first response time set.
    public func reply(
        _ id: Int64,
        _ body: String,
        publish: Bool,
        scope: StaffScope,
        actor: Audit.Actor,
        on db: PostgresConnection
    ) async throws -> ReplyOutcome {
        var validator = Validator()
        validator.text(body, "reply", min: 1, max: 5000)
        try validator.check()
        let (status, participant) = try await locked(id, scope: scope, accountID: actor.accountID, on: db)
        let entry = try await Self.history(id, "reply", body: body, by: actor, published: publish, on: db)
        var emailed = 0
        if let participant {
            emailed = try await Outbox().enqueue(
                .init(
                    participantID: participant,
                    purpose: .replies,
                    template: "case_reply",
                    data: ["reply": "\(entry)"],
                    dedupeKey: "reply:\(entry)"
                ),
                on: db
            ).count
            if emailed > 0 { try await db.query("UPDATE case_history SET emailed = true WHERE id = \(entry)") }
        }
        try await db.query(
            """
            UPDATE cases SET first_response_at = coalesce(first_response_at, now()), updated_at = now(),
                owner_account_id = coalesce(owner_account_id, \(actor.accountID)),
                status = CASE WHEN status IN ('new', 'assigned') THEN 'answered'::case_status ELSE status END
            WHERE id = \(id)
            """
        )
        try await Audit().record(
            "reply",
            "case",
            id: "\(id)",
            old: ["status": .string(status.rawValue)],
            new: ["reply": .string(body), "published": .bool(publish), "emailed": .bool(emailed > 0)],
            by: actor,
            on: db
        )
        return ReplyOutcome(emailed: emailed, published: publish)
    }

    /// Closes, marks "no action needed" (with a reason) or reopens a case.
    public func setStatus(
        _ id: Int64,
        _ next: Status,
        reason: String?,
        scope: StaffScope,
        actor: Audit.Actor,
        on db: PostgresConnection
    ) async throws {
        var validator = Validator()
        if next == .noAction {
            if reason?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true {
                validator.add("reason", "say why no action is needed", reason: .required)
            }
            validator.text(reason, "reason", min: 1, max: 500)
        }
        if next == .answered { validator.add("status", "a case is answered by replying") }
        try validator.check()
        let (status, _) = try await locked(id, scope: scope, accountID: actor.accountID, on: db)
        try await db.query(
            """
            UPDATE cases SET updated_at = now(), no_action_reason = \(next == .noAction ? reason : nil),
                closed_at = CASE WHEN \(next.rawValue) IN ('closed', 'no_action') THEN now() END,
                status = CASE WHEN \(next.rawValue) = 'new' AND (owner_account_id IS NOT NULL OR team_id IS NOT NULL) THEN 'assigned'
                              ELSE \(next.rawValue) END::case_status
            WHERE id = \(id)
            """
        )
        _ = try await Self.history(id, "status", body: next == .noAction ? "no_action: \(reason ?? "")" : next.rawValue, by: actor, on: db)
        try await Audit().record(
            "status",
            "case",
            id: "\(id)",
            old: ["status": .string(status.rawValue)],
            new: ["status": .string(next.rawValue), "reason": reason.map { .string($0) } ?? .null],
            by: actor,
            on: db
        )
    }
}
