import Foundation

// The records Chorus keeps, as the repositories return them.

public struct Goal: Sendable, Equatable {
    public var id: Int64
    public var code: String
    public var title: Translated
    public var description: Translated
}

public struct School: Sendable, Equatable {
    public var id: Int64
    public var code: String
    public var name: String
    public var cluster: String
    public var level: String
    public var enrollment: Int
}

/// Engagement targets of an initiative; `nil` falls back to the district default.
public struct Targets: Sendable, Equatable, Codable {
    public var reachPer100: Double?
    public var voicePer100: Double?
    public var participationRate: Double?
    public var volunteerHours: Double?

    public init(reachPer100: Double? = nil, voicePer100: Double? = nil, participationRate: Double? = nil, volunteerHours: Double? = nil) {
        self.reachPer100 = reachPer100
        self.voicePer100 = voicePer100
        self.participationRate = participationRate
        self.volunteerHours = volunteerHours
    }

    enum CodingKeys: String, CodingKey {
        case reachPer100 = "reach_per_100"
        case voicePer100 = "voice_per_100"
        case participationRate = "participation_rate"
        case volunteerHours = "volunteer_hours"
    }
}

public struct Initiative: Sendable, Equatable {
    public var id: Int64
    public var slug: String
    public var title: Translated
    public var description: Translated
    public var goalID: Int64?
    public var status: String
    public var startsOn: String?
    public var endsOn: String?
    public var themeKeywords: [String]
    public var targets: Targets
    public var ownerAccountID: Int64?
}

public struct Choice: Sendable, Equatable, Codable {
    public var value: String
    public var label: Translated

    public init(value: String, label: Translated) {
        self.value = value
        self.label = label
    }
}

public enum QuestionKind: String, Sendable, Codable, CaseIterable {
    case likert5 = "likert_5"
    case choice
    case multiChoice = "multi_choice"
    case rating0to10 = "rating_0_10"
    case text
}

/// A stored question: what was asked (`Surveys.QuestionFields`, read through as if its own
/// properties) plus its id and position.
@dynamicMemberLookup
public struct Question: Sendable, Equatable {
    public var id: Int64
    public var position: Int
    public var fields: Surveys.QuestionFields
    /// Goes up when the wording changes after answers exist; each answer keeps its version.
    public var version: Int
    public var previousQuestionID: Int64?

    public init(id: Int64, position: Int, fields: Surveys.QuestionFields, version: Int = 1, previousQuestionID: Int64? = nil) {
        self.id = id
        self.position = position
        self.fields = fields
        self.version = version
        self.previousQuestionID = previousQuestionID
    }

    public subscript<T>(dynamicMember keyPath: KeyPath<Surveys.QuestionFields, T>) -> T {
        fields[keyPath: keyPath]
    }
}

public struct Survey: Sendable, Equatable {
    public var id: Int64
    public var initiativeID: Int64
    public var title: Translated
    public var opensAt: Date
    public var closesAt: Date?
    public var anonymous: Bool
    public var questions: [Question]
    /// Nil for a draft, which only staff see.
    public var publishedAt: Date?
    /// The earlier wave this one was duplicated from.
    public var previousSurveyID: Int64?

    /// Every text of the survey, for what is left to translate.
    public var texts: [Translated?] { [title] + questions.flatMap(\.texts) }

    public func isOpen(at now: Date = Date()) -> Bool {
        publishedAt != nil && opensAt <= now && (closesAt.map { now < $0 } ?? true)
    }
}

public struct Receipt: Sendable, Equatable, Codable {
    public var id: Int64
    public var receipt: String
    public var createdAt: Date
}

public struct Answer: Sendable, Equatable {
    public var questionID: Int64
    public var number: Int?
    public var text: String?
    public var choices: [String]?

    public init(questionID: Int64, number: Int? = nil, text: String? = nil, choices: [String]? = nil) {
        self.questionID = questionID
        self.number = number
        self.text = text
        self.choices = choices
    }
}

public struct SurveyResponse: Sendable, Equatable {
    public var id: Int64
    public var surveyID: Int64
    public var schoolID: Int64?
    public var participantID: Int64?
    public var group: StakeholderGroup
    public var language: String
    public var submittedAt: Date
    public var answers: [Answer]
}

/// A stored score of a text (see `TextScoring`); no sentiment for a language without a model.
public struct StoredScore: Sendable, Equatable {
    public var language: String
    public var neg: Double?
    public var neu: Double?
    public var pos: Double?
    public var compound: Double?
    public var sentimentScored: Bool { compound != nil }
    public var themes: [String]
    public var version: String
}

public struct Feedback: Sendable, Equatable {
    public var score: StoredScore?
    public var id: Int64
    public var initiativeID: Int64
    public var schoolID: Int64?
    public var participantID: Int64?
    public var group: StakeholderGroup?
    public var language: String?
    public var comment: String
    public var scoringState: String
    public var createdAt: Date
}

public struct Event: Sendable, Equatable {
    public var id: Int64
    public var title: Translated
    public var kind: String
    public var initiativeIDs: [Int64]
    public var schoolID: Int64?
    public var location: String?
    public var startsAt: Date
    public var endsAt: Date
    public var capacity: Int?
    public var attendanceTotal: Int
    public var cancelledAt: Date?
    public var cancelReason: String?
    public var languages: [String] = []
    public var reminderHours: Int? = 24

    /// What an edit starts from.
    public var fields: Events.EventFields {
        .init(
            title: title,
            kind: kind,
            initiativeIDs: initiativeIDs,
            schoolID: schoolID,
            location: location,
            startsAt: startsAt,
            endsAt: endsAt,
            capacity: capacity,
            languages: languages,
            reminderHours: reminderHours
        )
    }
}

public struct Attendance: Sendable, Equatable, Codable {
    public var id: Int64
    public var eventID: Int64
    public var kind: String
    public var group: StakeholderGroup
    public var count: Int
    public var participantID: Int64?
    public var recordedAt: Date
    /// The RSVP the person came on (a check-in with the RSVP's contact).
    public var rsvpID: Int64? = nil
}

public struct Shift: Sendable, Equatable {
    public var id: Int64
    public var opportunityID: Int64
    public var startsAt: Date
    public var endsAt: Date
    public var capacity: Int
    public var waitlist: Bool
    public var confirmed: Int
    public var cancelledAt: Date?
    public var cancelReason: String?
    public var remaining: Int { max(0, capacity - confirmed) }
}

public struct Opportunity: Sendable, Equatable {
    public var id: Int64
    public var initiativeID: Int64
    public var title: Translated
    public var description: Translated
    public var schoolID: Int64?
    public var shifts: [Shift]
    public var cancelledAt: Date?
    public var cancelReason: String?
    /// Hours before a shift that confirmed volunteers are reminded; nil for no reminder.
    public var reminderHours: Int? = 24
}

public enum SignupStatus: String, Sendable, Codable, CaseIterable {
    case confirmed, waitlisted, cancelled, attended
}

public struct Signup: Sendable, Equatable, Codable {
    public var id: Int64
    public var shiftID: Int64
    public var participantID: Int64?
    public var status: SignupStatus
    public var hoursReported: Double?
    public var hoursApproved: Double?
    public var createdAt: Date
}

public struct Contact: Sendable, Equatable {
    public var participantID: Int64
    public var name: String?
    public var email: String?
    public var phone: String?
    public var consentedAt: Date
    public var retainUntil: String
}

/// One page of a list and the cursor of the next page (`nil` on the last).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// A page from a query that fetched `limit + 1` rows: the extra row only says a next page
    /// exists, and the cursor is taken from the last row shown.
    init(fetched: [Item], limit: Int, cursor: (Item) -> String) {
        self.items = Array(fetched.prefix(limit))
        self.nextCursor = fetched.count > limit ? cursor(fetched[limit - 1]) : nil
    }
}

/// Filters shared by the lists.
public struct ListFilter: Sendable {
    public var initiativeID: Int64?
    public var schoolID: Int64?
    public var group: StakeholderGroup?
    public var from: Date?
    public var to: Date?
    public var cursor: String?
    public var limit: Int
    /// What the caller reaches (issue 14): lists leave out the rest.
    public var scope: StaffScope

    public init(
        initiativeID: Int64? = nil,
        schoolID: Int64? = nil,
        group: StakeholderGroup? = nil,
        from: Date? = nil,
        to: Date? = nil,
        cursor: String? = nil,
        limit: Int = 50,
        scope: StaffScope = .everything
    ) {
        self.scope = scope
        self.initiativeID = initiativeID
        self.schoolID = schoolID
        self.group = group
        self.from = from
        self.to = to
        self.cursor = cursor
        self.limit = limit
    }
}
