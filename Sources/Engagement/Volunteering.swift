import Foundation
import Postgres

/// Volunteer opportunities, their shifts and sign-ups. A sign-up beyond capacity is waitlisted
/// (or refused when the shift has no waitlist); cancelling a confirmed place promotes the first
/// person on the waitlist.
public struct Volunteering: Sendable {
    let participants = Participants()

    public init() {}

    public struct ShiftFields: Sendable {
        public var startsAt: Date
        public var endsAt: Date
        public var capacity: Int
        public var waitlist: Bool
        public init(startsAt: Date, endsAt: Date, capacity: Int, waitlist: Bool = true) {
            self.startsAt = startsAt
            self.endsAt = endsAt
            self.capacity = capacity
            self.waitlist = waitlist
        }
    }

    public struct OpportunityFields: Sendable {
        public var initiativeID: Int64
        public var title: Translated
        public var description: Translated
        public var schoolID: Int64?
        public var shifts: [ShiftFields]
        public var reminderHours: Int?
        public init(
            initiativeID: Int64,
            title: Translated,
            description: Translated,
            schoolID: Int64?,
            shifts: [ShiftFields],
            reminderHours: Int? = 24
        ) {
            self.reminderHours = reminderHours
            self.initiativeID = initiativeID
            self.title = title
            self.description = description
            self.schoolID = schoolID
            self.shifts = shifts
        }
    }

    public func createOpportunity(_ fields: OpportunityFields, on db: PostgresConnection) async throws -> Opportunity {
        let languages = try await DistrictSettings.current(on: db).languageSet
        var validator = Validator()
        validator.id(fields.initiativeID, "initiative_id")
        validator.id(fields.schoolID, "school_id")
        validator.translated(fields.title, "title", min: 1, max: 200, required: true, languages: languages)
        validator.translated(fields.description, "description", max: 4000, required: false, languages: languages)
        if fields.shifts.isEmpty { validator.add("shifts", "must have at least one shift") }
        validator.range(fields.reminderHours, "reminder_hours", 1...336)
        for (index, shift) in fields.shifts.enumerated() {
            if shift.endsAt <= shift.startsAt { validator.add("shifts[\(index)].ends_at", "must be after starts_at") }
            validator.range(shift.capacity, "shifts[\(index)].capacity", 1...10_000)
            Surveys.validateDate(shift.startsAt, "shifts[\(index)].starts_at", &validator)
            Surveys.validateDate(shift.endsAt, "shifts[\(index)].ends_at", &validator)
        }
        try validator.check()
        guard try await !db.query("SELECT 1 FROM initiatives WHERE id = \(fields.initiativeID)").isEmpty else {
            throw EngagementError.invalid("initiative_id", "no such initiative")
        }
        if let schoolID = fields.schoolID, try await db.query("SELECT 1 FROM schools WHERE id = \(schoolID)").isEmpty {
            throw EngagementError.invalid("school_id", "no such school")
        }
        let id = try await db.query(
            """
            INSERT INTO volunteer_opportunities (initiative_id, school_id, title, description, reminder_hours)
            VALUES (\(fields.initiativeID), \(fields.schoolID), \(PostgresJSON(fields.title)), \(PostgresJSON(fields.description)),
                    \(fields.reminderHours))
            RETURNING id
            """
        ).one().decode(Int64.self, at: 0)
        for shift in fields.shifts {
            try await db.query(
                """
                INSERT INTO volunteer_shifts (opportunity_id, starts_at, ends_at, capacity, waitlist)
                VALUES (\(id), \(shift.startsAt), \(shift.endsAt), \(shift.capacity), \(shift.waitlist))
                """
            )
        }
        guard let created = try await opportunities(initiativeID: nil, id: id, on: db).first else {
            throw EngagementError.notFound("opportunity")
        }
        return created
    }

    /// Opportunities with all their shifts and confirmed counts.
    public func opportunities(initiativeID: Int64?, id: Int64? = nil, on db: PostgresConnection) async throws -> [Opportunity] {
        let rows = try await db.query(
            """
            SELECT id, initiative_id, title, description, school_id, cancelled_at, cancel_reason, reminder_hours FROM volunteer_opportunities
            WHERE (\(initiativeID)::bigint IS NULL OR initiative_id = \(initiativeID)) AND (\(id)::bigint IS NULL OR id = \(id))
            ORDER BY id LIMIT 500
            """
        )
        var opportunities: [Opportunity] = try rows.map { row in
            let (id, initiativeID, title, description, schoolID) = try row.decode(
                (Int64, Int64, PostgresJSON<Translated>, PostgresJSON<Translated>, Int64?).self
            )
            return Opportunity(
                id: id,
                initiativeID: initiativeID,
                title: title.value,
                description: description.value,
                schoolID: schoolID,
                shifts: [],
                cancelledAt: try row.decode(Date?.self, at: 5),
                cancelReason: try row.decode(String?.self, at: 6),
                reminderHours: try row.decode(Int?.self, at: 7)
            )
        }
        let ids = opportunities.map { String($0.id) }
        var shifts: [Int64: [Shift]] = [:]
        for row in try await db.query(
            """
            SELECT s.id, s.opportunity_id, s.starts_at, s.ends_at, s.capacity, s.waitlist,
                   (SELECT count(*) FROM signups g WHERE g.shift_id = s.id AND g.status IN ('confirmed', 'attended')),
                   s.cancelled_at, s.cancel_reason
            FROM volunteer_shifts s WHERE s.opportunity_id = ANY(\(ids)::bigint[]) ORDER BY s.starts_at, s.id
            """
        ) {
            let shift = try Self.shift(row)
            shifts[shift.opportunityID, default: []].append(shift)
        }
        for index in opportunities.indices { opportunities[index].shifts = shifts[opportunities[index].id] ?? [] }
        return opportunities
    }

    static func shift(_ row: PostgresRow) throws -> Shift {
        let (id, opportunityID, startsAt, endsAt, capacity, waitlist, confirmed) = try row.decode(
            (Int64, Int64, Date, Date, Int, Bool, Int).self
        )
        return Shift(
            id: id,
            opportunityID: opportunityID,
            startsAt: startsAt,
            endsAt: endsAt,
            capacity: capacity,
            waitlist: waitlist,
            confirmed: confirmed,
            cancelledAt: try row.decode(Date?.self, at: 7),
            cancelReason: try row.decode(String?.self, at: 8)
        )
    }

    /// Locks the shift row so concurrent sign-ups cannot both take the last place.
    public func signUp(
        shiftID: Int64,
        group: StakeholderGroup,
        contact: ContactDetails,
        language: String = "en",
        now: Date = Date(),
        on db: PostgresConnection
    )
        async throws -> Signup
    {
        var validator = Validator()
        contact.validate(&validator, field: "contact")
        try validator.check()
        guard
            let shiftRow = try await db.query(
                """
                SELECT s.capacity, s.waitlist, s.ends_at, coalesce(s.cancelled_at, o.cancelled_at) IS NOT NULL
                FROM volunteer_shifts s JOIN volunteer_opportunities o ON o.id = s.opportunity_id WHERE s.id = \(shiftID) FOR UPDATE OF s
                """
            ).first
        else { throw EngagementError.notFound("shift") }
        let (capacity, waitlist, endsAt, cancelled) = try shiftRow.decode((Int, Bool, Date, Bool).self)
        if cancelled { throw EngagementError.conflict("the shift was cancelled") }
        if endsAt <= now { throw EngagementError.conflict("the shift is over") }
        let confirmed = try await db.query(
            "SELECT count(*) FROM signups WHERE shift_id = \(shiftID) AND status IN ('confirmed', 'attended')"
        ).one().decode(Int.self, at: 0)
        let status: SignupStatus
        if confirmed < capacity {
            status = .confirmed
        } else if waitlist {
            status = .waitlisted
        } else {
            throw EngagementError.conflict("the shift is full and has no waitlist")
        }
        let participantID = try await participants.participant(for: contact, on: db)
        do {
            let row = try await db.query(
                """
                INSERT INTO signups (shift_id, participant_id, stakeholder_group, status)
                VALUES (\(shiftID), \(participantID), \(group.rawValue)::stakeholder_group, \(status.rawValue)::signup_status)
                RETURNING id, created_at
                """
            ).one()
            let (id, createdAt) = try row.decode((Int64, Date).self)
            // The confirmation (or the waitlist's note), in the same transaction (issue 16).
            try await Consents().grant(participantID: participantID, purpose: .volunteering, contact: contact, language: language, on: db)
            try await Outbox().enqueue(
                .init(
                    participantID: participantID,
                    purpose: .volunteering,
                    template: status == .waitlisted ? "signup_waitlisted" : "signup_confirmed",
                    data: ["signup": "\(id)"],
                    dedupeKey: "signup:\(id):\(status.rawValue)"
                ),
                on: db
            )
            return Signup(
                id: id,
                shiftID: shiftID,
                participantID: participantID,
                status: status,
                hoursReported: nil,
                hoursApproved: nil,
                createdAt: createdAt
            )
        } catch let error as PostgresError where error.isUniqueViolation {
            throw EngagementError.conflict("this person is already signed up for the shift")
        }
    }

    public func updateSignup(
        id: Int64,
        status: SignupStatus?,
        hoursReported: Double?,
        hoursApproved: Double?,
        scope: StaffScope = .everything,
        on db: PostgresConnection
    ) async throws -> Signup {
        var validator = Validator()
        validator.range(hoursReported, "hours_reported", 0...24)
        validator.range(hoursApproved, "hours_approved", 0...24)
        try validator.check()
        guard
            let current = try await db.query(
                """
                SELECT s.shift_id, s.status::text, o.school_id, o.initiative_id FROM signups s
                JOIN volunteer_shifts sh ON sh.id = s.shift_id JOIN volunteer_opportunities o ON o.id = sh.opportunity_id
                WHERE s.id = \(id) FOR UPDATE OF s
                """
            ).first
        else { throw EngagementError.notFound("sign-up") }
        let (shiftID, oldStatus, schoolID, initiativeID) = try current.decode((Int64, String, Int64?, Int64).self)
        // Out of the caller's reach reads as absent (issue 14).
        guard scope.covers(school: schoolID, initiatives: [initiativeID]) else { throw EngagementError.notFound("sign-up") }
        if hoursApproved != nil && (status ?? SignupStatus(rawValue: oldStatus)) != .attended {
            throw EngagementError.invalid("hours_approved", "only an attended sign-up has hours to approve")
        }
        let row = try await db.query(
            """
            UPDATE signups SET status = coalesce(\(status?.rawValue)::signup_status, status),
                hours_reported = coalesce(\(hoursReported)::numeric, hours_reported),
                hours_approved = coalesce(\(hoursApproved)::numeric, hours_approved)
            WHERE id = \(id)
            RETURNING id, shift_id, participant_id, status::text, hours_reported::float8, hours_approved::float8, created_at
            """
        ).one()
        if status == .cancelled && (oldStatus == "confirmed") {
            try await promoteFirstWaiting(shiftID: shiftID, on: db)
        }
        return try Self.signup(row)
    }

    /// A freed place goes to the first person waiting, who is told (issue 16).
    func promoteFirstWaiting(shiftID: Int64, on db: PostgresConnection) async throws {
        guard
            let promoted = try await db.query(
                """
                UPDATE signups SET status = 'confirmed' WHERE id = (
                    SELECT id FROM signups WHERE shift_id = \(shiftID) AND status = 'waitlisted' ORDER BY created_at, id LIMIT 1 FOR UPDATE)
                RETURNING id, participant_id
                """
            ).first
        else { return }
        let (id, participantID) = try promoted.decode((Int64, Int64?).self)
        if let participantID {
            try await Outbox().enqueue(
                .init(
                    participantID: participantID,
                    purpose: .volunteering,
                    template: "signup_promoted",
                    data: ["signup": "\(id)"],
                    dedupeKey: "signup:\(id):promoted"
                ),
                on: db
            )
        }
    }

    /// The volunteer's own cancel link (a signed sign-up id): frees the place, promotes the first
    /// person waiting. Returns false when there was nothing to cancel (already cancelled, over).
    public func cancelOwn(signupID: Int64, now: Date = Date(), on db: PostgresConnection) async throws -> Bool {
        guard
            let row = try await db.query(
                """
                SELECT s.shift_id, s.status::text FROM signups s JOIN volunteer_shifts sh ON sh.id = s.shift_id
                WHERE s.id = \(signupID) AND s.status IN ('confirmed', 'waitlisted') AND sh.ends_at > \(now) FOR UPDATE OF s
                """
            ).first
        else { return false }
        let (shiftID, oldStatus) = try row.decode((Int64, String).self)
        try await db.query("UPDATE signups SET status = 'cancelled' WHERE id = \(signupID)")
        if oldStatus == "confirmed" { try await promoteFirstWaiting(shiftID: shiftID, on: db) }
        return true
    }

    /// The shift a sign-up is for, and its state, for the cancel page.
    public func signupForCancel(id: Int64, on db: PostgresConnection) async throws -> (status: SignupStatus, title: Translated, startsAt: Date)? {
        guard
            let row = try await db.query(
                """
                SELECT s.status::text, o.title, sh.starts_at FROM signups s JOIN volunteer_shifts sh ON sh.id = s.shift_id
                JOIN volunteer_opportunities o ON o.id = sh.opportunity_id WHERE s.id = \(id)
                """
            ).first
        else { return nil }
        let (status, title, startsAt) = try row.decode((String, PostgresJSON<Translated>, Date).self)
        return (SignupStatus(rawValue: status) ?? .cancelled, title.value, startsAt)
    }

    public func signup(id: Int64, on db: PostgresConnection) async throws -> Signup {
        guard
            let row = try await db.query(
                """
                SELECT id, shift_id, participant_id, status::text, hours_reported::float8, hours_approved::float8, created_at
                FROM signups WHERE id = \(id)
                """
            ).first
        else { throw EngagementError.notFound("sign-up") }
        return try Self.signup(row)
    }

    static func signup(_ row: PostgresRow) throws -> Signup {
        let (signupID, shift, participantID, newStatus, reported, approved, createdAt) = try row.decode(
            (Int64, Int64, Int64?, String, Double?, Double?, Date).self
        )
        return Signup(
            id: signupID,
            shiftID: shift,
            participantID: participantID,
            status: SignupStatus(rawValue: newStatus) ?? .confirmed,
            hoursReported: reported,
            hoursApproved: approved,
            createdAt: createdAt
        )
    }
}
