import Foundation
import Postgres

/// "You said, we did" (issue 17, build 6): an initiative's milestones (a date and how far
/// along), the updates staff post (each naming the themes and published comments it answers),
/// and the comments published with their replies. Followers — people who asked, with consent —
/// are emailed when an update is posted or a milestone moves. Changes are audited.
public struct InitiativeReports: Sendable {
    public struct Milestone: Sendable, Codable, Equatable {
        public var id: Int64
        public var title: Translated
        public var dueOn: String?
        public var percentComplete: Int
        enum CodingKeys: String, CodingKey {
            case id, title
            case dueOn = "due_on"
            case percentComplete = "percent_complete"
        }
    }

    public struct Update: Sendable, Codable, Equatable {
        public var id: Int64
        public var title: Translated
        public var body: Translated
        public var themes: [String]
        public var caseIDs: [Int64]
        public var postedAt: Date
        enum CodingKeys: String, CodingKey {
            case id, title, body, themes
            case caseIDs = "case_ids"
            case postedAt = "posted_at"
        }
    }

    /// A comment staff published with their reply: no name, no school, no contact.
    public struct PublishedComment: Sendable, Codable, Equatable {
        public var caseID: Int64
        public var comment: String
        public var language: String
        public var reply: String
        public var repliedAt: Date
        enum CodingKeys: String, CodingKey {
            case comment, language, reply
            case caseID = "case_id"
            case repliedAt = "replied_at"
        }
    }

    public init() {}

    public func milestones(initiativeID: Int64, on db: PostgresConnection) async throws -> [Milestone] {
        try await db.query(
            """
            SELECT id, title, to_char(due_on, 'YYYY-MM-DD'), percent_complete FROM initiative_milestones
            WHERE initiative_id = \(initiativeID) ORDER BY due_on NULLS LAST, id
            """
        ).map { row in
            let (id, title, due, percent) = try row.decode((Int64, PostgresJSON<Translated>, String?, Int).self)
            return Milestone(id: id, title: title.value, dueOn: due, percentComplete: percent)
        }
    }

    public func updates(initiativeID: Int64, limit: Int = 50, on db: PostgresConnection) async throws -> [Update] {
        try await db.query(
            """
            SELECT id, title, body, themes, case_ids::text[], posted_at FROM initiative_updates
            WHERE initiative_id = \(initiativeID) ORDER BY posted_at DESC, id DESC LIMIT \(limit)
            """
        ).map { row in
            let (id, title, body, themes, cases, posted) = try row.decode(
                (Int64, PostgresJSON<Translated>, PostgresJSON<Translated>, [String], [String], Date).self
            )
            return Update(id: id, title: title.value, body: body.value, themes: themes, caseIDs: cases.compactMap { Int64($0) }, postedAt: posted)
        }
    }

    public func publishedComments(initiativeID: Int64, limit: Int = 50, on db: PostgresConnection) async throws -> [PublishedComment] {
        try await db.query(
            """
            SELECT c.id, coalesce(f.comment, a.text, ''), c.language, h.body, h.at
            FROM case_history h JOIN cases c ON c.id = h.case_id
            LEFT JOIN feedback f ON c.source = 'feedback' AND f.id = c.source_id
            LEFT JOIN answers a ON c.source = 'answer' AND a.id = c.source_id
            WHERE c.initiative_id = \(initiativeID) AND h.published AND h.kind = 'reply'
            ORDER BY h.at DESC LIMIT \(limit)
            """
        ).map { row in
            let (id, comment, language, reply, at) = try row.decode((Int64, String, String, String, Date).self)
            return PublishedComment(caseID: id, comment: comment, language: language, reply: reply, repliedAt: at)
        }
    }

    static func validate(_ text: Translated, _ field: String, max: Int, _ validator: inout Validator) {
        if text.texts.values.allSatisfy({ $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            validator.add(field, "is required in at least one language", reason: .required)
        }
        for (language, value) in text.texts {
            validator.text(value, "\(field).\(language)", max: max)
            if !DistrictSettings.isLanguageTag(language) { validator.add(field, "has a key that is not a language tag") }
        }
    }

    static func clean(_ text: Translated) -> Translated {
        Translated(text.texts.filter { !$0.value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty })
    }

    @discardableResult
    public func addMilestone(
        initiativeID: Int64,
        title: Translated,
        dueOn: String?,
        percent: Int,
        actor: Audit.Actor,
        on db: PostgresConnection
    ) async throws -> Int64 {
        var validator = Validator()
        Self.validate(title, "title", max: 200, &validator)
        validator.range(percent, "percent_complete", 0...100)
        if dueOn != nil && DateOnly.parse(dueOn) == nil { validator.add("due_on", "must be a date YYYY-MM-DD") }
        try validator.check()
        let id = try await db.query(
            """
            INSERT INTO initiative_milestones (initiative_id, title, due_on, percent_complete)
            VALUES (\(initiativeID), \(PostgresJSON(Self.clean(title))), \(dueOn)::date, \(percent)) RETURNING id
            """
        ).one().decode(Int64.self, at: 0)
        try await Audit().record(
            "create",
            "milestone",
            id: "\(id)",
            new: ["initiative_id": .number(Double(initiativeID)), "percent_complete": .number(Double(percent))],
            by: actor,
            on: db
        )
        return id
    }

    /// A milestone's new completion; followers hear of it when it changed. Returns messages written.
    @discardableResult
    public func progress(_ milestoneID: Int64, initiativeID: Int64, percent: Int, actor: Audit.Actor, on db: PostgresConnection) async throws -> Int {
        var validator = Validator()
        validator.range(percent, "percent_complete", 0...100)
        try validator.check()
        guard
            let old = try await db.query(
                "SELECT percent_complete FROM initiative_milestones WHERE id = \(milestoneID) AND initiative_id = \(initiativeID) FOR UPDATE"
            ).first?.decode(Int.self, at: 0)
        else { throw EngagementError.notFound("milestone") }
        guard old != percent else { return 0 }
        try await db.query("UPDATE initiative_milestones SET percent_complete = \(percent), updated_at = now() WHERE id = \(milestoneID)")
        try await Audit().record(
            "progress",
            "milestone",
            id: "\(milestoneID)",
            old: ["percent_complete": .number(Double(old))],
            new: ["percent_complete": .number(Double(percent))],
            by: actor,
            on: db
        )
        return try await notifyFollowers(
            initiativeID,
            template: "milestone_moved",
            data: ["milestone": "\(milestoneID)", "percent": "\(percent)"],
            key: "milestone:\(milestoneID):\(percent)",
            on: db
        )
    }

    /// Posts an update linked to themes and published cases of the initiative; emails followers.
    @discardableResult
    public func post(
        initiativeID: Int64,
        title: Translated,
        body: Translated,
        themes: [String],
        caseIDs: [Int64],
        actor: Audit.Actor,
        on db: PostgresConnection
    ) async throws -> Int64 {
        var validator = Validator()
        Self.validate(title, "title", max: 200, &validator)
        Self.validate(body, "body", max: 5000, &validator)
        if themes.count > 20 { validator.add("themes", "at most 20") }
        for (index, theme) in themes.enumerated() { validator.text(theme, "themes[\(index)]", min: 1, max: 100) }
        if caseIDs.count > 50 { validator.add("case_ids", "at most 50") }
        try validator.check()
        let ids = caseIDs.map(String.init)
        let known = try await db.query(
            """
            SELECT count(*)::int FROM cases c WHERE c.id::text = ANY(\(ids)::text[]) AND c.initiative_id = \(initiativeID)
              AND EXISTS (SELECT 1 FROM case_history h WHERE h.case_id = c.id AND h.published)
            """
        ).one().decode(Int.self, at: 0)
        if known != Set(caseIDs).count { throw EngagementError.invalid("case_ids", "name published comments of this initiative") }
        let id = try await db.query(
            """
            INSERT INTO initiative_updates (initiative_id, title, body, themes, case_ids, posted_by)
            VALUES (\(initiativeID), \(PostgresJSON(Self.clean(title))), \(PostgresJSON(Self.clean(body))), \(themes),
                    \(ids)::text[]::bigint[], \(actor.accountID))
            RETURNING id
            """
        ).one().decode(Int64.self, at: 0)
        try await Audit().record(
            "create",
            "initiative_update",
            id: "\(id)",
            new: ["initiative_id": .number(Double(initiativeID)), "themes": .array(themes.map { .string($0) })],
            by: actor,
            on: db
        )
        try await notifyFollowers(initiativeID, template: "initiative_update", data: ["update": "\(id)"], key: "update:\(id)", on: db)
        return id
    }

    @discardableResult
    func notifyFollowers(_ initiativeID: Int64, template: String, data: [String: String], key: String, on db: PostgresConnection) async throws -> Int
    {
        let followers = try await db.query("SELECT participant_id FROM initiative_followers WHERE initiative_id = \(initiativeID)").map {
            try $0.decode(Int64.self, at: 0)
        }
        var written = 0
        for participant in followers {
            written += try await Outbox().enqueue(
                .init(participantID: participant, purpose: .updates, template: template, data: data, dedupeKey: "\(key):\(participant)"),
                on: db
            ).count
        }
        return written
    }
}
