import Foundation

/// What an administrator asks for: one initiative (or the district) over a period, optionally
/// narrowed to a school, a cluster or a stakeholder group.
public struct ScorecardQuery: Sendable, Equatable {
    public var initiativeID: Int64?
    public var from: Date
    public var to: Date
    public var schoolID: Int64?
    public var cluster: String?
    public var group: StakeholderGroup?
    /// The district's clock the period is counted on (`Scorecards` sets it from the database).
    public var clock: DistrictClock

    public init(
        initiativeID: Int64?,
        from: Date,
        to: Date,
        schoolID: Int64? = nil,
        cluster: String? = nil,
        group: StakeholderGroup? = nil,
        clock: DistrictClock = .standard
    ) {
        self.initiativeID = initiativeID
        self.from = from
        self.to = to
        self.schoolID = schoolID
        self.cluster = cluster
        self.group = group
        self.clock = clock
    }

    /// The equal period just before, for trends.
    public var previous: ScorecardQuery {
        var query = self
        query.to = from
        query.from = from.addingTimeInterval(-to.timeIntervalSince(from))
        return query
    }

    /// Validates the period: from before to, at most five years, years 2000–2200.
    public func validate() throws {
        var validator = Validator()
        if to <= from { validator.add("to", "must be after from") }
        if to.timeIntervalSince(from) > 5 * 366 * 86_400 { validator.add("to", "the period may be at most five years") }
        Surveys.validateDate(from, "from", &validator)
        Surveys.validateDate(to, "to", &validator)
        validator.id(initiativeID, "initiative")
        validator.id(schoolID, "school_id")
        validator.text(cluster, "cluster", min: 1, max: 100)
        try validator.check()
    }

    /// A named period containing `now` on the district's clock: `week` (from Monday), `month`,
    /// `quarter`, or `year` (the school year, the default).
    public static func period(named name: String?, now: Date = Date(), clock: DistrictClock) throws -> (from: Date, to: Date) {
        let calendar = clock.calendar
        // Calendar arithmetic answers nil only outside its range (years past 9999 and the like).
        func bounded<T>(_ value: T?) throws -> T {
            guard let value else { throw EngagementError.invalid("period", "is outside the dates this service can count") }
            return value
        }
        switch name ?? "year" {
        case "year":
            return clock.schoolYear(containing: now)
        case "week":
            let start = try bounded(calendar.dateInterval(of: .weekOfYear, for: now)).start
            return (start, try bounded(calendar.date(byAdding: .day, value: 7, to: start)))
        case "month":
            let interval = try bounded(calendar.dateInterval(of: .month, for: now))
            return (interval.start, interval.end)
        case "quarter":
            let month = calendar.component(.month, from: now)
            let year = calendar.component(.year, from: now)
            let start = try bounded(calendar.date(from: DateComponents(year: year, month: ((month - 1) / 3) * 3 + 1, day: 1)))
            return (start, try bounded(calendar.date(byAdding: .month, value: 3, to: start)))
        default:
            throw EngagementError.invalid("period", "must be week, month, quarter or year")
        }
    }
}

/// The engagement scorecard. Every number is defined in `docs/scorecard.md`; cells counting fewer
/// than `Scorecard.minimumCell` people are suppressed (`null` with `suppressed: true`), never zero.
public struct Scorecard: Sendable, Codable, Equatable {
    public static let minimumCell = 10
    public static let indexVersion = "v1"

    public struct Period: Sendable, Codable, Equatable {
        public var from: Date
        public var to: Date
    }

    public struct InitiativeRef: Sendable, Codable, Equatable {
        public var id: Int64
        public var slug: String
        /// Per language, as stored (the reader picks its language).
        public var title: Translated
    }

    public struct Reach: Sendable, Codable, Equatable {
        public var participants: Int?
        public var enrolled: Int
        public var per100Enrolled: Double?
        public var suppressed: Bool
        enum CodingKeys: String, CodingKey {
            case participants, enrolled, suppressed
            case per100Enrolled = "per_100_enrolled"
        }
    }

    public struct Voice: Sendable, Codable, Equatable {
        public var responses: Int
        public var feedback: Int
        public var per100Enrolled: Double
        enum CodingKeys: String, CodingKey {
            case responses, feedback
            case per100Enrolled = "per_100_enrolled"
        }
    }

    public struct Participation: Sendable, Codable, Equatable {
        public var events: Int
        public var attendance: Int
        public var capacity: Int
        public var fillRate: Double?
        enum CodingKeys: String, CodingKey {
            case events, attendance, capacity
            case fillRate = "fill_rate"
        }
    }

    public struct Volunteering: Sendable, Codable, Equatable {
        public var signups: Int
        public var waitlisted: Int
        public var attended: Int
        public var approvedHours: Double
        enum CodingKeys: String, CodingKey {
            case signups, waitlisted, attended
            case approvedHours = "approved_hours"
        }
    }

    public struct SentimentSlice: Sendable, Codable, Equatable {
        public var language: String
        public var scored: Int
        public var meanCompound: Double?
        public var positiveShare: Double?
        public var neutralShare: Double?
        public var negativeShare: Double?
        /// Texts in a language without a sentiment model: counted in voice, not in sentiment
        /// (null when 1–9, suppressed).
        public var notScored: Int?
        public var suppressed: Bool
        enum CodingKeys: String, CodingKey {
            case language, scored, suppressed
            case notScored = "not_scored"
            case meanCompound = "mean_compound"
            case positiveShare = "positive_share"
            case neutralShare = "neutral_share"
            case negativeShare = "negative_share"
        }
    }

    public struct Sentiment: Sendable, Codable, Equatable {
        public var overall: SentimentSlice
        public var byLanguage: [SentimentSlice]
        enum CodingKeys: String, CodingKey {
            case overall
            case byLanguage = "by_language"
        }
    }

    public struct Topic: Sendable, Codable, Equatable {
        public var name: String
        public var count: Int
        public var previousCount: Int
        public var exampleFeedbackIDs: [Int64]
        enum CodingKeys: String, CodingKey {
            case name, count
            case previousCount = "previous_count"
            case exampleFeedbackIDs = "example_feedback_ids"
        }
    }

    public struct Week: Sendable, Codable, Equatable {
        public var weekStart: String
        public var responses: Int
        public var feedback: Int
        public var attendance: Int
        public var approvedHours: Double
        enum CodingKeys: String, CodingKey {
            case responses, feedback, attendance
            case weekStart = "week_start"
            case approvedHours = "approved_hours"
        }
    }

    public struct Component: Sendable, Codable, Equatable {
        public var name: String
        public var raw: Double?
        public var target: Double
        public var normalized: Double
        public var weight: Double
        public var points: Double
    }

    public struct Index: Sendable, Codable, Equatable {
        public var version: String
        public var value: Double
        public var previous: Double?
        public var components: [Component]
    }

    public struct SchoolCell: Sendable, Codable, Equatable {
        public var schoolID: Int64
        public var code: String
        public var name: String
        public var cluster: String
        public var enrollment: Int
        public var participants: Int?
        public var per100Enrolled: Double?
        public var belowHalfMedian: Bool?
        public var suppressed: Bool
        enum CodingKeys: String, CodingKey {
            case code, name, cluster, enrollment, participants, suppressed
            case schoolID = "school_id"
            case per100Enrolled = "per_100_enrolled"
            case belowHalfMedian = "below_half_median"
        }
    }

    public struct Equity: Sendable, Codable, Equatable {
        public var districtMedianPer100: Double?
        public var schools: [SchoolCell]
        enum CodingKeys: String, CodingKey {
            case schools
            case districtMedianPer100 = "district_median_per_100"
        }
    }

    public struct Trend: Sendable, Codable, Equatable {
        public var period: Period
        public var participants: Int?
        public var responses: Int
        public var feedback: Int
        public var attendance: Int
        public var approvedHours: Double
        public var meanCompound: Double?
        enum CodingKeys: String, CodingKey {
            case period, participants, responses, feedback, attendance
            case approvedHours = "approved_hours"
            case meanCompound = "mean_compound"
        }
    }

    public var initiative: InitiativeRef?
    public var period: Period
    public var filters: [String: String]
    public var index: Index
    public var reach: Reach
    public var voice: Voice
    public var participation: Participation
    public var volunteering: Volunteering
    public var sentiment: Sentiment
    public var themes: [Topic]
    public var keyphrases: [Topic]
    public var weekly: [Week]
    public var equity: Equity
    public var previous: Trend
    /// The initiative's published surveys open at some time in the period, with their results.
    public var surveys: [SurveyLink] = []
    /// How quickly comments were answered (issue 17); not part of the engagement index.
    public var responsiveness: Responsiveness?

    /// A survey and where its results are (`results`: the API path; the console page is
    /// `/console/surveys/{id}/results`).
    public struct SurveyLink: Sendable, Codable, Equatable {
        public var id: Int64
        public var title: Translated
        public var opensAt: Date
        public var closesAt: Date?
        public var results: String
        enum CodingKeys: String, CodingKey {
            case id, title, results
            case opensAt = "opens_at"
            case closesAt = "closes_at"
        }
    }
}

extension Scorecard {
    init(
        summary: ScorecardSummary,
        sentiment: Sentiment,
        themes: [Topic],
        keyphrases: [Topic],
        weekly: [Week],
        equity: Equity
    ) {
        self.init(
            initiative: summary.initiative,
            period: summary.period,
            filters: summary.filters,
            index: summary.index,
            reach: summary.reach,
            voice: summary.voice,
            participation: summary.participation,
            volunteering: summary.volunteering,
            sentiment: sentiment,
            themes: themes,
            keyphrases: keyphrases,
            weekly: weekly,
            equity: equity,
            previous: summary.previous
        )
    }
}

/// One line of the district list: an initiative's index and headline numbers, the same values
/// as in its full scorecard, with the overall sentiment cell only.
public struct ScorecardSummary: Sendable, Codable, Equatable {
    public var initiative: Scorecard.InitiativeRef?
    public var period: Scorecard.Period
    public var filters: [String: String]
    public var index: Scorecard.Index
    public var reach: Scorecard.Reach
    public var voice: Scorecard.Voice
    public var participation: Scorecard.Participation
    public var volunteering: Scorecard.Volunteering
    public var sentiment: Scorecard.SentimentSlice
    public var previous: Scorecard.Trend

    public init(
        initiative: Scorecard.InitiativeRef?,
        period: Scorecard.Period,
        filters: [String: String],
        index: Scorecard.Index,
        reach: Scorecard.Reach,
        voice: Scorecard.Voice,
        participation: Scorecard.Participation,
        volunteering: Scorecard.Volunteering,
        sentiment: Scorecard.SentimentSlice,
        previous: Scorecard.Trend
    ) {
        self.initiative = initiative
        self.period = period
        self.filters = filters
        self.index = index
        self.reach = reach
        self.voice = voice
        self.participation = participation
        self.volunteering = volunteering
        self.sentiment = sentiment
        self.previous = previous
    }

    public init(_ card: Scorecard) {
        self.init(
            initiative: card.initiative,
            period: card.period,
            filters: card.filters,
            index: card.index,
            reach: card.reach,
            voice: card.voice,
            participation: card.participation,
            volunteering: card.volunteering,
            sentiment: card.sentiment.overall,
            previous: card.previous
        )
    }
}

extension Scorecard {
    /// The one JSON form, shared by `chorus scorecard --format json` and the HTTP API.
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
