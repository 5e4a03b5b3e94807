import Foundation
import InputParsing
import NIOCore
import Testing

@Suite("Form bodies, multipart, date-times and query bounds (pure)")
struct InputParsingTests {
    @Test func urlEncodedFormsReadAnyBytesAsData() {
        let form = FormFields(urlEncoded: Array(#"comment=a b"<>{}|&group=families&q1=%C3%A9t%C3%A9+ok&q2=a&q2=b&bad=%zz%4&empty="#.utf8))
        #expect(form["comment"] == #"a b"<>{}|"#)
        #expect(form["q1"] == "été ok")
        #expect(form.all("q2") == ["a", "b"])
        #expect(form["bad"] == "%zz%4")
        #expect(form["empty"] == nil)
        #expect(FormFields(urlEncoded: Array("%ff=%fe".utf8)).fields == ["\u{FFFD}": ["\u{FFFD}"]])
        #expect(FormFields(urlEncoded: Array("a=1=2&&b".utf8)).fields == ["a": ["1=2"], "b": [""]])
        let many = FormFields(urlEncoded: Array(String(repeating: "x=1&", count: 5_000).utf8))
        #expect(many.all("x").count == FormFields.maximumFields)
    }

    @Test func multipartFilenameBeforeNameAndQuotedParameters() throws {
        let body = """
            --XyZ\r
            Content-Disposition: form-data; filename="a;b.csv"; name="sheet"\r
            Content-Type: text/csv\r
            \r
            group,count\r
            families,3\r
            --XyZ\r
            content-disposition: form-data; name="event"\r
            \r
            12\r
            --XyZ--\r

            """
        let form = try #require(FormFields(multipart: ByteBuffer(string: body), contentType: "multipart/form-data; boundary=\"XyZ\""))
        #expect(form.files["sheet"].map { String(decoding: $0, as: UTF8.self) } == "group,count\r\nfamilies,3")
        #expect(form["event"] == "12")
        #expect(form.fields["sheet"] == nil)
        #expect(FormFields(multipart: ByteBuffer(string: body), contentType: "multipart/form-data; boundary=") == nil)
        #expect(FormFields(multipart: ByteBuffer(string: body), contentType: "multipart/form-data") == nil)
        #expect(FormFields(multipart: ByteBuffer(string: body), contentType: "text/plain; boundary=XyZ") == nil)
    }

    @Test func rfc3339IsReadStrictly() {
        #expect(RFC3339.secondsSince1970("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.secondsSince1970("2026-02-28T10:00:00.5+01:00") == 1_772_269_200.5)
        #expect(RFC3339.secondsSince1970("2024-02-29t23:59:59z") == 1_709_251_199)
        #expect(RFC3339.secondsSince1970("2000-03-01T00:00:00-18:00") == 951_933_600)
        #expect(RFC3339.secondsSince1970("2000-03-01T00:00:00+23:59") == 951_782_460)
        for bad in [
            "2026-02-30T10:00:00Z", "2025-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
            "2026-01-01T24:00:00Z", "2026-01-01T10:60:00Z", "2026-01-01T10:00:60Z", "2026-01-01T10:00:00+25:00",
            "2026-01-01T10:00:00+24:00", "2026-01-01T10:00:00+05:60", "2026-01-01T10:00:00", "2026-01-01 10:00:00Z",
            "2026-01-01T10:00:00.Z", "2026-01-01T10:00:00ZZ", "+2026-01-01T10:00:00Z", "2026-1-01T10:00:00Z", "２０２６-01-01T10:00:00Z", "",
        ] {
            #expect(RFC3339.secondsSince1970(bad) == nil, "\(bad)")
        }
    }

    @Test func queryBounds() {
        #expect(QueryRules.problem(name: "school_id", value: "1") == nil)
        #expect(QueryRules.problem(name: "school_id", value: "0") != nil)
        #expect(QueryRules.problem(name: "school_id", value: "9007199254740992") != nil)
        #expect(QueryRules.problem(name: "limit", value: "201") != nil)
        #expect(QueryRules.problem(name: "cursor", value: String(repeating: "c", count: 101)) != nil)
        #expect(QueryRules.problem(name: "period", value: "whatever") == nil)
        #expect(QueryRules.valuelessParameter(inQuery: "limit=5&period&x=") == "period")
        #expect(QueryRules.valuelessParameter(inQuery: "limit=5&&x=") == "query")
        #expect(QueryRules.valuelessParameter(inQuery: "limit=5&x=") == nil)
        #expect(QueryRules.valuelessParameter(inQuery: "") == nil)
    }

    @Test func integersWithAZeroFractionAreTheirDigits() {
        #expect(QueryRules.wholeNumber("1.0") == "1" && QueryRules.wholeNumber("42.000") == "42")
        for other in ["1", "1.", ".0", "1.5", "1.0e3", "-1.0", "a.0", "1.0.0", "", "١.0"] {
            #expect(QueryRules.wholeNumber(other) == nil, "\(other)")
        }
        #expect(QueryRules.wholeNumbers(inQuery: "limit=5.0&cursor=1.0&initiative_id=2.00") == "limit=5&cursor=1.0&initiative_id=2")
        #expect(QueryRules.wholeNumbers(inQuery: "limit=5&period=week") == nil)
        #expect(QueryRules.wholeNumbers(inQuery: "limit&school_id=3.0&") == "limit&school_id=3&")
    }

    @Test func networkRanges() throws {
        let private12 = try #require(NetworkRange("172.16.0.0/12"))
        #expect(private12.contains("172.31.255.255"))
        #expect(!private12.contains("172.32.0.1"))
        #expect(!private12.contains("::1"))
        #expect(try #require(NetworkRange("::1/128")).contains("::1"))
        #expect(try #require(NetworkRange("2001:db8::/32")).contains("2001:db8:ffff::1"))
        #expect(try #require(NetworkRange("10.0.0.0/8")).contains("::ffff:10.9.9.9"))
        #expect(try #require(NetworkRange("192.168.1.7")).contains("192.168.1.7"))
        for bad in ["", "10.0.0.0/33", "10.0.0/8", "::1/129", "abc", "1.2.3.4/-1", "1.2.3.4/", "1.2.3.4\0"] {
            #expect(NetworkRange(bad) == nil, "\(bad)")
        }
        #expect(throws: NetworkRange.InvalidNetwork.self) { try NetworkRange.list("10.0.0.0/8, nope").get() }
    }

    @Test func languageParametersAreLanguageTags() {
        for good in ["en", "es", "zh-Hans", "ast", "sr-Latn-RS"] { #expect(QueryRules.problem(name: "language", value: good) == nil, "\(good)") }
        for bad in ["null", "e", "EN", "en-", "en--x", "zh-Hans-" + String(repeating: "x", count: 40), "<script>"] {
            #expect(QueryRules.problem(name: "language", value: bad) != nil, "\(bad)")
        }
    }
}
