import Foundation
import Postgres

/// How quickly the district answers (issue 17, build 5): of the cases opened in a period, the
/// median time to the first reply, the share answered within the district's target (48 hours by
/// default, calendar hours), and the open cases by age. Cases marked "no action needed" are left
/// out: there was nobody to answer. A case not yet answered counts against the target once it
/// is older than the target, and not before. Computed from the cases themselves (a district
/// has thousands, not millions); defined in docs/scorecard.md.
public struct Responsiveness: Sendable, Codable, Equatable {
    public struct OpenByAge: Sendable, Codable, Equatable {
        public var under2Days: Int
        public var from2To7Days: Int
        public var from7To30Days: Int
        public var over30Days: Int
        public init(under2Days: Int, from2To7Days: Int, from7To30Days: Int, over30Days: Int) {
            self.under2Days = under2Days
            self.from2To7Days = from2To7Days
            self.from7To30Days = from7To30Days
            self.over30Days = over30Days
        }
        enum CodingKeys: String, CodingKey {
            case under2Days = "under_2_days"
            case from2To7Days = "2_to_7_days"
            case from7To30Days = "7_to_30_days"
            case over30Days = "over_30_days"
        }
    }

    public struct Slice: Sendable, Codable, Equatable {
        /// The initiative's slug, the school's code or the owner's account id; "all" overall.
        public var key: String
        public var name: String
        public var cases: Int
        public var answered: Int
        public var medianHoursToFirstResponse: Double?
        public var answeredWithinTarget: Int
        /// Answered within the target, of those answered or already older than it.
        public var withinTargetShare: Double?
        public var open: OpenByAge
        enum CodingKeys: String, CodingKey {
            case key, name, cases, answered, open
            case medianHoursToFirstResponse = "median_hours_to_first_response"
            case answeredWithinTarget = "answered_within_target"
            case withinTargetShare = "within_target_share"
        }
    }

    public var targetHours: Int
    public var overall: Slice
    public var byInitiative: [Slice]
    public var bySchool: [Slice]
    public var byOwner: [Slice]
    enum CodingKeys: String, CodingKey {
        case overall
        case targetHours = "target_hours"
        case byInitiative = "by_initiative"
        case bySchool = "by_school"
        case byOwner = "by_owner"
    }

    /// One case as the measure sees it.
    public struct Case: Sendable {
        public var initiative: (key: String, name: String)
        public var school: (key: String, name: String)?
        public var owner: (key: String, name: String)?
        public var openedAt: Date
        public var firstResponseAt: Date?
        public var open: Bool

        public init(
            initiative: (key: String, name: String),
            school: (key: String, name: String)?,
            owner: (key: String, name: String)?,
            openedAt: Date,
            firstResponseAt: Date?,
            open: Bool
        ) {
            self.initiative = initiative
            self.school = school
            self.owner = owner
            self.openedAt = openedAt
            self.firstResponseAt = firstResponseAt
            self.open = open
        }
    }

    /// The measure of `cases` at `now` (pure, for the hand-computed test).
    public static func measure(_ cases: [Case], targetHours: Int, now: Date) -> Responsiveness {
        func slice(_ key: String, _ name: String, _ cases: [Case]) -> Slice {
            let hours = cases.compactMap { item in item.firstResponseAt.map { $0.timeIntervalSince(item.openedAt) / 3600 } }
            let target = Double(targetHours)
            let within = hours.filter { $0 <= target }.count
            let due = hours.count + cases.filter { $0.firstResponseAt == nil && now.timeIntervalSince($0.openedAt) / 3600 > target }.count
            var open = OpenByAge(under2Days: 0, from2To7Days: 0, from7To30Days: 0, over30Days: 0)
            for item in cases where item.open {
                let days = now.timeIntervalSince(item.openedAt) / 86_400
                switch days {
                case ..<2: open.under2Days += 1
                case ..<7: open.from2To7Days += 1
                case ..<30: open.from7To30Days += 1
                default: open.over30Days += 1
                }
            }
            return Slice(
                key: key,
                name: name,
                cases: cases.count,
                answered: hours.count,
                medianHoursToFirstResponse: median(hours).map { ($0 * 10).rounded() / 10 },
                answeredWithinTarget: within,
                withinTargetShare: due == 0 ? nil : (Double(within) / Double(due) * 1000).rounded() / 1000,
                open: open
            )
        }
        func grouped(_ key: (Case) -> (key: String, name: String)?) -> [Slice] {
            var groups: [String: (String, [Case])] = [:]
            for item in cases {
                guard let (k, name) = key(item) else { continue }
                groups[k, default: (name, [])].1.append(item)
            }
            return groups.sorted { $0.key < $1.key }.map { slice($0.key, $0.value.0, $0.value.1) }
        }
        return Responsiveness(
            targetHours: targetHours,
            overall: slice("all", "all", cases),
            byInitiative: grouped { $0.initiative },
            bySchool: grouped { $0.school },
            byOwner: grouped { $0.owner }
        )
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The measure for a scorecard's query: its initiative (or all), period and school or cluster.
    /// Stakeholder group narrows to comments that named it.
    public static func compute(_ q: ScorecardQuery, on db: PostgresConnection) async throws -> Responsiveness {
        let target = try await db.query("SELECT response_target_hours FROM district_settings").one().decode(Int.self, at: 0)
        let now = try await db.query("SELECT now()").one().decode(Date.self, at: 0)
        let cases = try await db.query(
            """
            SELECT i.slug, i.title ->> coalesce((SELECT default_language FROM district_settings), 'en'), s.code, s.name,
                   c.owner_account_id::text, a.name, c.opened_at, c.first_response_at, c.status IN ('new', 'assigned')
            FROM cases c JOIN initiatives i ON i.id = c.initiative_id
            LEFT JOIN schools s ON s.id = c.school_id LEFT JOIN staff_accounts a ON a.id = c.owner_account_id
            LEFT JOIN feedback f ON c.source = 'feedback' AND f.id = c.source_id
            LEFT JOIN answers an ON c.source = 'answer' AND an.id = c.source_id LEFT JOIN responses r ON r.id = an.response_id
            WHERE c.status <> 'no_action' AND c.opened_at >= \(q.from) AND c.opened_at < \(q.to)
              AND (\(q.initiativeID)::bigint IS NULL OR c.initiative_id = \(q.initiativeID))
              AND (\(q.schoolID)::bigint IS NULL OR c.school_id = \(q.schoolID))
              AND (\(q.cluster)::text IS NULL OR s.cluster = \(q.cluster))
              AND (\(q.group?.rawValue)::text IS NULL OR coalesce(f.stakeholder_group, r.stakeholder_group)::text = \(q.group?.rawValue))
            """
        ).map { row in
            let (slug, title, code, school, owner, ownerName, opened, responded, open) = try row.decode(
                (String, String?, String?, String?, String?, String?, Date, Date?, Bool).self
            )
            return Case(
                initiative: (slug, title ?? slug),
                school: code.map { ($0, school ?? $0) },
                owner: owner.map { ($0, ownerName ?? $0) },
                openedAt: opened,
                firstResponseAt: responded,
                open: open
            )
        }
        return measure(cases, targetHours: target, now: now)
    }
}
