import Foundation

/// What a results request asks: one survey, an optional period (default: every answer), filters,
/// and an optional breakdown (`by`) for a cross-tab against the filters.
public struct ResultsQuery: Sendable, Equatable {
    public enum Dimension: String, Sendable, CaseIterable { case school, group, language }

    public var surveyID: Int64
    public var from: Date?
    public var to: Date?
    public var schoolID: Int64?
    public var cluster: String?
    public var group: StakeholderGroup?
    public var language: String?
    public var by: Dimension?
    public var clock: DistrictClock

    public init(
        surveyID: Int64,
        from: Date? = nil,
        to: Date? = nil,
        schoolID: Int64? = nil,
        cluster: String? = nil,
        group: StakeholderGroup? = nil,
        language: String? = nil,
        by: Dimension? = nil,
        clock: DistrictClock = .standard
    ) {
        self.surveyID = surveyID
        self.from = from
        self.to = to
        self.schoolID = schoolID
        self.cluster = cluster
        self.group = group
        self.language = language
        self.by = by
        self.clock = clock
    }

    public func validate() throws {
        var validator = Validator()
        validator.id(surveyID, "survey")
        validator.id(schoolID, "school_id")
        validator.text(cluster, "cluster", min: 1, max: 100)
        validator.text(language, "language", min: 2, max: 20)
        if (from == nil) != (to == nil) { validator.add(from == nil ? "from" : "to", "give both from and to") }
        if let from, let to {
            if to <= from { validator.add("to", "must be after from") }
            Surveys.validateDate(from, "from", &validator)
            Surveys.validateDate(to, "to", &validator)
        }
        try validator.check()
    }
}

/// A survey's results (docs/results.md defines every figure). Counts under
/// `Disclosure.minimumCell` are null, and so are the counts that would give them away.
public struct SurveyResults: Sendable, Codable, Equatable {
    public struct SurveyHead: Sendable, Codable, Equatable {
        public var id: Int64
        public var initiativeId: Int64
        public var title: Translated
        public var previousSurveyId: Int64?
    }

    public struct Filters: Sendable, Codable, Equatable {
        public var from: Date?
        public var to: Date?
        public var schoolId: Int64?
        public var cluster: String?
        public var group: String?
        public var language: String?
        public var by: String?
    }

    /// One slice of a breakdown: a school (id, "0" for none), a group or a language.
    public struct Slice: Sendable, Codable, Equatable {
        public var key: String
        public var name: String
        public var responses: Int?
    }

    public var survey: SurveyHead
    public var filters: Filters
    public var minimumCell: Int
    /// Responses in scope (null when fewer than the minimum).
    public var responses: Int?
    public var slices: [Slice]?
    public var questions: [QuestionResults]
    public var responseRates: ResponseRates
}

public struct QuestionResults: Sendable, Codable, Equatable {
    public var id: Int64
    public var position: Int
    public var kind: String
    public var prompt: Translated
    public var recommendation: Bool
    public var overall: Figures
    /// Per slice of the breakdown, in the order of `SurveyResults.slices`.
    public var slices: [SliceFigures]?
    /// Answers per wording version, when the wording changed after answers came in.
    public var versions: [VersionCount]?
    /// Text questions: the most mentioned themes and keyphrases (at least the minimum mentions).
    public var themes: [Topic]?
    public var keyphrases: [Topic]?
    /// The same question in the earlier wave, over that wave's answers with the same filters.
    public var previous: Trend?
}

public struct Figures: Sendable, Codable, Equatable {
    public var answered: Int?
    public var skipped: Int?
    public var points: [Point]
    public var mean: Double?
    /// The 95% confidence interval of the mean (Student's t).
    public var meanLow: Double?
    public var meanHigh: Double?
    /// Five-point scales: the share answering 4 or 5.
    public var top2Share: Double?
    public var nps: NPS?
    public var sentiment: TextSentiment?
}

public struct Point: Sendable, Codable, Equatable {
    public var value: String
    public var count: Int?
    /// Of the respondents who answered (several choices: a respondent counts once per choice).
    public var share: Double?
}

public struct NPS: Sendable, Codable, Equatable {
    /// Promoters (9–10) minus detractors (0–6), in points from -100 to 100.
    public var score: Double
    /// The 95% margin of error, in points.
    public var margin: Double
    public var promoters: Double
    public var passives: Double
    public var detractors: Double
}

public struct TextSentiment: Sendable, Codable, Equatable {
    public var scored: Int?
    public var meanCompound: Double?
}

public struct SliceFigures: Sendable, Codable, Equatable {
    public var key: String
    public var figures: Figures
}

public struct VersionCount: Sendable, Codable, Equatable {
    public var version: Int
    public var prompt: Translated
    public var answered: Int?
}

public struct Topic: Sendable, Codable, Equatable {
    public var name: String
    public var mentions: Int
    /// Up to three answers mentioning it, newest first.
    public var examples: [String]
}

/// The earlier wave's headline figure beside this one's: the mean (scales), the NPS
/// (recommendation questions), or the share of the most chosen choice.
public struct Trend: Sendable, Codable, Equatable {
    public var surveyId: Int64
    public var questionId: Int64
    public var measure: String
    public var answered: Int?
    public var previous: Double?
    public var current: Double?
    public var change: Double?
    /// The change is larger than the 95% margin of the difference.
    public var beyondMargin: Bool?
}

public struct ResponseRates: Sendable, Codable, Equatable {
    public struct School: Sendable, Codable, Equatable {
        public var schoolId: Int64
        public var code: String
        public var name: String
        public var enrollment: Int
        /// Families' responses.
        public var responses: Int?
        public var per100Enrolled: Double?
        public var belowHalfMedian: Bool
    }

    public var medianPer100Enrolled: Double?
    public var schools: [School]
}

extension SurveyResults {
    public static var encoder: JSONEncoder {
        let encoder = Scorecard.encoder
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = Scorecard.decoder
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }
}
