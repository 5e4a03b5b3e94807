import Foundation
import Postgres

/// The district's clock: its time zone and the day its school year starts. Days, ISO weeks
/// (from Monday), months, quarters and school years are the district's local ones, in records
/// and rollups alike (`district_day` in Schema/0011 is the same rule in SQL).
public struct DistrictClock: Sendable, Equatable {
    public var timeZone: TimeZone
    public var schoolYearStart: DistrictSettings.MonthDay

    public init(timeZone: TimeZone, schoolYearStart: DistrictSettings.MonthDay = .init(month: 8, day: 1)) {
        self.timeZone = timeZone
        self.schoolYearStart = schoolYearStart
    }

    /// What a new database starts with (Schema/0009's defaults).
    public static let standard = DistrictClock(timeZone: TimeZone(identifier: "America/New_York") ?? .gmt)

    public static func current(on db: PostgresConnection) async throws -> DistrictClock {
        try await DistrictSettings.current(on: db).clock
    }

    /// ISO 8601 weeks (Monday first) on the district's clock.
    public var calendar: Calendar {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = timeZone
        return calendar
    }

    /// Whether `date` is a local midnight (a day boundary the rollups can answer from).
    public func isMidnight(_ date: Date) -> Bool {
        calendar.startOfDay(for: date) == date
    }

    /// The school year containing `date`, from its local start day to the next one's.
    public func schoolYear(containing date: Date) -> (from: Date, to: Date) {
        let calendar = calendar
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        guard let year = parts.year, let month = parts.month, let day = parts.day else { return (date, date) }
        let started = (month, day) >= (schoolYearStart.month, schoolYearStart.day)
        let first = started ? year : year - 1
        // Nil only outside the calendar's range: then the period is the moment itself.
        guard let from = calendar.date(from: DateComponents(year: first, month: schoolYearStart.month, day: schoolYearStart.day)),
            let to = calendar.date(from: DateComponents(year: first + 1, month: schoolYearStart.month, day: schoolYearStart.day))
        else { return (date, date) }
        return (from, to)
    }

    /// The local calendar day of `date` (`YYYY-MM-DD`).
    public func day(of date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }
}

extension DistrictSettings {
    public var clock: DistrictClock {
        DistrictClock(timeZone: TimeZone(identifier: timeZone) ?? .gmt, schoolYearStart: schoolYearStart)
    }
}
