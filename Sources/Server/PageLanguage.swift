import Engagement
import Foundation
import Hummingbird

/// The language a page is shown in, with what showing it needs: the district's settings (its
/// languages, default and clock), the strings, the direction of the script.
struct PageLanguage: Sendable {
    /// The BCP 47 tag the page is in: one the district offers.
    let code: String
    let district: DistrictSettings
    /// The strings of `code`, or of the default language where a key is missing.
    let strings: [String: String]

    /// Scripts written right to left (the primary language subtag).
    static let rightToLeft: Set<String> = ["ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"]

    var direction: String { Self.rightToLeft.contains(Self.primary(code)) ? "rtl" : "ltr" }

    static func primary(_ tag: String) -> String { String(tag.split(separator: "-").first ?? "").lowercased() }

    subscript(text key: String) -> String { strings[text: key] }

    /// A stored text in this language; `lang` is set when it fell back to another language, so
    /// the element says which language it is in (screen readers pronounce it right).
    func text(_ translated: Translated) -> (text: String, lang: String?) {
        let resolved = translated.resolved(code, fallback: district.defaultLanguage)
        return (resolved.text, resolved.isFallback ? resolved.language : nil)
    }

    /// A stored text for a Mustache view: `text` and `lang` (false when in the page's language).
    func view(_ translated: Translated) -> [String: Any] {
        let (text, lang) = text(translated)
        return ["text": text, "lang": lang ?? false]
    }

    var locale: Locale { Locale(identifier: code.replacingOccurrences(of: "-", with: "_")) }
    var timeZone: TimeZone { TimeZone(identifier: district.timeZone) ?? .gmt }
    /// The district's clock, from the same settings the page was read with.
    var clock: DistrictClock { DistrictClock(timeZone: timeZone, schoolYearStart: district.schoolYearStart) }

    /// A date and time on the district's clock, in this language; `zone` adds the zone's name
    /// (staff pages show it, so nobody wonders whose 6 p.m. it is).
    func when(_ date: Date, zone: Bool = false) -> String {
        let format = DateFormatter()
        format.locale = locale
        format.timeZone = timeZone
        format.dateStyle = .medium
        format.timeStyle = .short
        let text = format.string(from: date)
        guard zone else { return text }
        // The zone as the language names it ("EST"; TimeZone.abbreviation says "GMT-5" on Linux).
        format.dateFormat = "zzz"
        return text + " " + format.string(from: date)
    }

    /// From a start to an end on the district's clock, the date once when both fall on one day
    /// ("Dec 3, 2026, 6:00 – 8:00 PM").
    func span(_ start: Date, _ end: Date) -> String {
        let format = DateIntervalFormatter()
        format.locale = locale
        format.timeZone = timeZone
        format.dateStyle = .medium
        format.timeStyle = .short
        return format.string(from: start, to: end)
    }

    func number(_ value: Int) -> String { value.formatted(.number.locale(locale)) }

    /// A day on the district's clock ("March 3, 2026"); a calendar date ("2026-03-03") as it is.
    func day(_ date: Date) -> String {
        let format = DateFormatter()
        format.locale = locale
        format.timeZone = timeZone
        format.dateStyle = .long
        format.timeStyle = .none
        return format.string(from: date)
    }

    func day(_ calendarDate: String) -> String {
        let parse = DateFormatter()
        parse.locale = Locale(identifier: "en_US_POSIX")
        parse.timeZone = .gmt
        parse.dateFormat = "yyyy-MM-dd"
        guard let date = parse.date(from: calendarDate) else { return calendarDate }
        let format = DateFormatter()
        format.locale = locale
        format.timeZone = .gmt
        format.dateStyle = .long
        format.timeStyle = .none
        return format.string(from: date)
    }

    /// A counted phrase by the language's CLDR plural rules: `key.one`, `key.few`, … with `{n}`
    /// replaced by the number as the language writes it; `key.other` where a form is missing.
    func plural(_ key: String, _ count: Int) -> String {
        let category = PluralRules.category(Self.primary(code), count)
        let pattern = strings["\(key).\(category)"] ?? strings["\(key).other"] ?? key
        return pattern.replacingOccurrences(of: "{n}", with: number(count))
    }
}

/// CLDR plural rules (unicode.org/cldr/charts/latest/supplemental/language_plural_rules.html)
/// for whole numbers, the languages Chorus ships strings for and those families most often
/// speak; any other language has only `other`. Written out because Foundation on Linux has no
/// plural-rule API (see docs/decisions.md, "Strings in every language").
enum PluralRules {
    static func category(_ language: String, _ n: Int) -> String {
        let n = abs(n)
        let millions = n != 0 && n % 1_000_000 == 0
        switch language {
        case "en", "de", "nl", "sv", "it":
            return n == 1 ? "one" : (language == "it" && millions ? "many" : "other")
        case "es":
            return n == 1 ? "one" : millions ? "many" : "other"
        case "fr", "pt":
            return n <= 1 ? "one" : millions ? "many" : "other"
        case "am", "hi", "bn", "fa":
            return n <= 1 ? "one" : "other"
        case "ar":
            switch n % 100 {
            case _ where n == 0: return "zero"
            case _ where n == 1: return "one"
            case _ where n == 2: return "two"
            case 3...10: return "few"
            case 11...99: return "many"
            default: return "other"
            }
        case "ru", "uk":
            if n % 10 == 1 && n % 100 != 11 { return "one" }
            if (2...4).contains(n % 10) && !(12...14).contains(n % 100) { return "few" }
            return "many"
        default:
            // vi, zh, ja, ko, ht (CLDR gives Haitian Creole no rules) and others: one form.
            return "other"
        }
    }
}
