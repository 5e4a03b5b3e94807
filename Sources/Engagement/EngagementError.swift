import Foundation

/// What can go wrong with a request, in the district's terms. Mapped to HTTP once, in the
/// server's problem middleware.
public struct EngagementError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        let name: String
        public static let invalid = Code(name: "invalid")
        public static let notFound = Code(name: "notFound")
        public static let conflict = Code(name: "conflict")
        public static let unauthorized = Code(name: "unauthorized")
        public static let forbidden = Code(name: "forbidden")
        /// The record changed since the version the change was made from (If-Match).
        public static let changed = Code(name: "changed")
    }

    /// One thing wrong with one field: its path in the API's terms (`answers[2].number`,
    /// `contact.email`), a message for API clients, and, typed, what a page needs to point at
    /// the right control in the visitor's language: the question it concerns, and whether the
    /// value was missing or wrong.
    public struct FieldError: Sendable, Equatable, Codable {
        public enum Reason: String, Sendable, Codable { case required, invalid }

        public var field: String
        public var message: String
        public var reason: Reason
        public var questionID: Int64?

        public init(field: String, message: String, reason: Reason = .invalid, questionID: Int64? = nil) {
            self.field = field
            self.message = message
            self.reason = reason
            self.questionID = questionID
        }
    }

    public var code: Code
    public var detail: String
    public var fields: [FieldError]

    public init(code: Code, detail: String, fields: [FieldError] = []) {
        self.code = code
        self.detail = detail
        self.fields = fields
    }

    public var description: String { "\(code.name): \(detail)" }

    public static func invalid(_ fields: [FieldError]) -> EngagementError {
        EngagementError(
            code: .invalid,
            detail: fields.map { "\($0.field): \($0.message)" }.joined(separator: "; "),
            fields: fields
        )
    }

    public static func invalid(_ field: String, _ message: String) -> EngagementError {
        invalid([FieldError(field: field, message: message)])
    }

    public static func notFound(_ what: String, field: String? = nil) -> EngagementError {
        EngagementError(
            code: .notFound,
            detail: "\(what) not found",
            fields: field.map { [FieldError(field: $0, message: "\(what) not found")] } ?? []
        )
    }

    public static func conflict(_ detail: String, field: String? = nil) -> EngagementError {
        EngagementError(code: .conflict, detail: detail, fields: field.map { [FieldError(field: $0, message: detail)] } ?? [])
    }
}

/// Collects field errors so a request learns everything wrong with it at once.
public struct Validator: Sendable {
    public private(set) var errors: [EngagementError.FieldError] = []

    public init() {}

    public mutating func add(
        _ field: String,
        _ message: String,
        reason: EngagementError.FieldError.Reason = .invalid,
        questionID: Int64? = nil
    ) {
        errors.append(EngagementError.FieldError(field: field, message: message, reason: reason, questionID: questionID))
    }

    /// Text fields: length in characters, no NUL or other control characters except tab/newlines.
    public mutating func text(_ value: String?, _ field: String, min: Int = 0, max: Int) {
        guard let value else { return }
        let count = value.count
        if count < min { add(field, min == 1 ? "must not be empty" : "must be at least \(min) characters") }
        if count > max { add(field, "must be at most \(max) characters") }
        if value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" || $0.value == 0x7F }) {
            add(field, "must not contain control characters")
        }
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && min > 0 && count >= min {
            add(field, "must not be blank")
        }
    }

    public mutating func range<T: Comparable>(_ value: T?, _ field: String, _ bounds: ClosedRange<T>) {
        guard let value else { return }
        if !bounds.contains(value) { add(field, "must be between \(bounds.lowerBound) and \(bounds.upperBound)") }
    }

    public mutating func id(_ value: Int64?, _ field: String) {
        range(value, field, 1...9_007_199_254_740_991)
    }

    public func check() throws {
        if !errors.isEmpty { throw EngagementError.invalid(errors) }
    }
}
