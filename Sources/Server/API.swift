import Engagement
import Foundation
import OpenAPIRuntime

/// The JSON API of `openapi.yaml`: the generated `APIProtocol`, one handler per operation, in
/// files by area (`API+….swift`). Handlers check the caller's role, validate, and call the
/// `Engagement` repositories inside a transaction.
struct API: APIProtocol {
    let database: Store
    let idempotency: Idempotency
    let reference = ReferenceData()
    let surveys = Surveys()
    let submissions = Submissions()
    let events = Events()
    let volunteering = Volunteering()

    /// Where scorecards and results are read: a streaming replica when `DATABASE_READ_URL` is
    /// set and it is at most `maximumReplicaLag` seconds behind, else the primary.
    let scorecardDatabase: ReplicaReads

    init(database: Store, scorecardDatabase: Store? = nil, maximumReplicaLag: Double = 30) {
        self.database = database
        self.scorecardDatabase = ReplicaReads(primary: database, replica: scorecardDatabase, maximumLag: maximumReplicaLag)
        self.idempotency = Idempotency(database: database)
    }

    /// Reads in one connection (lists run two or three queries that should agree).
    func read<T: Sendable>(_ body: (Store.Connection) async throws -> T) async throws -> T {
        try await database.snapshot(body)
    }

    /// Page size from the `limit` parameter (1–200, default 50).
    static func limit(_ value: Int?) throws -> Int {
        guard let value else { return 50 }
        guard (1...200).contains(value) else { throw EngagementError.invalid("limit", "must be between 1 and 200") }
        return value
    }

    static func filter(
        initiativeID: Int64? = nil,
        schoolID: Int64? = nil,
        group: Components.Schemas.StakeholderGroup? = nil,
        from: Date? = nil,
        to: Date? = nil,
        cursor: String? = nil,
        limit: Int?,
        scope: StaffScope = .everything
    ) throws -> ListFilter {
        var validator = Validator()
        validator.id(initiativeID, "initiative_id")
        validator.id(schoolID, "school_id")
        if let from, let to, to <= from { validator.add("to", "must be after from") }
        try validator.check()
        return ListFilter(
            initiativeID: initiativeID,
            schoolID: schoolID,
            group: group.flatMap { StakeholderGroup(rawValue: $0.rawValue) },
            from: from,
            to: to,
            cursor: cursor,
            limit: try Self.limit(limit),
            scope: scope
        )
    }
}

extension Components.Schemas.StakeholderGroup {
    var domain: StakeholderGroup { StakeholderGroup(rawValue: rawValue)! }
}

extension Components.Schemas.ContactInput {
    var domain: ContactDetails { ContactDetails(name: name, email: email, phone: phone, consent: consent) }
}
