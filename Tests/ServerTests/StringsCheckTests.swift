import Engagement
import Foundation
import Testing

@testable import Server

@Suite("Page strings: the check, CLDR plurals, dates and numbers per language")
struct StringsCheckTests {
    static let shipped = try! WebStrings(overrides: nil)
    static let templates = Array(try! WebPages.templates().values)

    @Test func theShippedFilesPassWithEnglishAndSpanishCompleteAndFourMoreLanguages() throws {
        let check = StringsCheck(table: Self.shipped.table, templates: Self.templates)
        #expect(check.passes, "\(check.report)")
        #expect(Set(check.languages.map(\.code)).isSuperset(of: ["en", "es", "fr", "vi", "zh-Hans", "ar"]))
        for language in check.languages {
            #expect(language.missing.isEmpty && language.unused.isEmpty, "\(language.code): \(check.report)")
        }
        #expect(try StringsCheck(overrides: nil).passes)
    }

    @Test func aKeyMissingInSpanishFailsAndInFrenchIsListedAndFallsBack() {
        var table = Self.shipped.table
        table["es"]?["submit"] = nil
        table["fr"]?["thanks_text"] = nil
        table["vi"]?["no_longer_used"] = "x"
        let check = StringsCheck(table: table, templates: Self.templates)
        #expect(!check.passes)
        let byCode = Dictionary(uniqueKeysWithValues: check.languages.map { ($0.code, $0) })
        #expect(byCode["es"]?.missing == ["submit"] && byCode["es"]?.passes == false)
        #expect(byCode["fr"]?.missing == ["thanks_text"] && byCode["fr"]?.passes == true)
        #expect(byCode["vi"]?.unused == ["no_longer_used"])
        #expect(check.report.contains("es: INCOMPLETE") && check.report.contains("  missing: submit"))
        // A key a template starts using is missing everywhere until it is written.
        let more = StringsCheck(table: Self.shipped.table, templates: Self.templates + ["{{t.brand_new}}"])
        #expect(!more.passes && more.languages.allSatisfy { $0.missing == ["brand_new"] })
        // Without a Spanish file at all the check fails too.
        table = Self.shipped.table
        table["es"] = nil
        #expect(!StringsCheck(table: table, templates: Self.templates).passes)
    }

    /// Every literal in the page code that names a string must be in `WebStrings.codeKeys` (or a
    /// template), so the check's "unused" is true.
    @Test func everyKeyTheCodeNamesIsDeclared() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/Server").standardized
        let english = Set(try #require(Self.shipped.table["en"]).keys)
        let declared = WebStrings.codeKeys.union(Self.templates.flatMap(StringsCheck.keys(inTemplate:)))
        var named: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: sources.path) where file.hasSuffix(".swift") && !file.hasPrefix("API") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            named.formUnion(text.matches(of: /"([a-z0-9_]+)"/).map { String($0.output.1) }.filter(english.contains))
        }
        #expect(named.count > 20)
        #expect(named.subtracting(declared).isEmpty, "used in code, not in WebStrings.codeKeys: \(named.subtracting(declared).sorted())")
    }

    static func language(_ code: String) -> PageLanguage {
        let district = DistrictSettings(
            name: "Test",
            timeZone: "America/New_York",
            languages: ["en", "es", "fr", "ar", "vi", "zh-Hans"],
            defaultLanguage: "en",
            schoolYearStart: .init(month: 8, day: 1)
        )
        return PageLanguage(code: code, district: district, strings: shipped.strings(code, fallback: "en"))
    }

    @Test func cldrPluralCategories() {
        // The examples of unicode.org's language plural rules chart.
        #expect([0, 1, 2, 5, 21].map { PluralRules.category("en", $0) } == ["other", "one", "other", "other", "other"])
        #expect([0, 1, 2, 1_000_000].map { PluralRules.category("es", $0) } == ["other", "one", "other", "many"])
        #expect([0, 1, 2, 1_000_000].map { PluralRules.category("fr", $0) } == ["one", "one", "other", "many"])
        #expect(
            [0, 1, 2, 3, 10, 11, 99, 100, 102, 103, 111, 1000].map { PluralRules.category("ar", $0) }
                == ["zero", "one", "two", "few", "few", "many", "many", "other", "other", "few", "many", "other"]
        )
        #expect([0, 1, 2].map { PluralRules.category("vi", $0) } == ["other", "other", "other"])
        #expect(StringsCheck.pluralCategories("ar") == ["zero", "one", "two", "few", "many", "other"])
        #expect(StringsCheck.pluralCategories("fr") == ["one", "other"])
    }

    @Test func placesLeftInEnglishSpanishFrenchAndArabic() {
        let en = Self.language("en")
        #expect(en.plural("places_left", 1) == "1 place left" && en.plural("places_left", 3) == "3 places left")
        let es = Self.language("es")
        #expect(es.plural("places_left", 1) == "Queda 1 lugar" && es.plural("places_left", 4) == "Quedan 4 lugares")
        let fr = Self.language("fr")
        #expect(fr.plural("places_left", 0) == "0 place restante" && fr.plural("places_left", 1) == "1 place restante")
        #expect(fr.plural("places_left", 2) == "2 places restantes")
        let ar = Self.language("ar")
        let forms = [0, 1, 2, 3, 11, 100].map { ar.plural("places_left", $0) }
        #expect(forms[0] == "لم يبق أي مكان" && forms[1] == "بقي مكان واحد" && forms[2] == "بقي مكانان")
        #expect(forms[3].hasPrefix("بقيت ") && forms[3].hasSuffix(" أماكن"))
        #expect(forms[4].hasSuffix(" مكانًا") && forms[5].hasSuffix(" مكان"))
        #expect(Set(forms).count == 6)
        #expect(ar.direction == "rtl" && en.direction == "ltr")
    }

    @Test func datesTimesAndNumbersPerLanguageOnTheDistrictClock() throws {
        // 2026-11-27 23:30 UTC is 18:30 in New York.
        let date = Date(timeIntervalSince1970: 1_795_822_200)
        let en = Self.language("en").when(date, zone: true)
        #expect(en.contains("6:30") && en.contains("PM") && en.contains("Nov") && en.hasSuffix("EST"), "\(en)")
        let fr = Self.language("fr").when(date)
        #expect(fr.contains("18:30") && fr.contains("nov"), "\(fr)")
        let es = Self.language("es").when(date)
        #expect(es.contains("18:30") && es.contains("nov"), "\(es)")
        let french = Self.language("fr").number(12_345)
        #expect(french != "12345" && french != "12,345" && french.hasPrefix("12") && french.hasSuffix("345"), "\(french)")
        #expect(Self.language("en").number(12_345) == "12,345")
    }
}
