/// Python 3 string semantics that VADER's behaviour depends on, reproduced exactly so scores
/// match vaderSentiment 3.3.2 (`str.split()`, `str.strip()`, `str.isupper()`,
/// `str.strip(string.punctuation)`, `round`).
enum PythonText {
    /// `str.isspace()` code points: bidi classes WS/B/S and category Zs (CPython's `_PyUnicode_IsWhitespace`).
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            true
        default:
            false
        }
    }

    /// `str.split()` with no arguments: runs of whitespace separate, no empty fields.
    static func split(_ text: Substring.UnicodeScalarView) -> [Substring] {
        var words: [Substring] = []
        var start: Substring.UnicodeScalarView.Index?
        var index = text.startIndex
        while index < text.endIndex {
            if isWhitespace(text[index]) {
                if let wordStart = start {
                    words.append(Substring(text[wordStart..<index]))
                    start = nil
                }
            } else if start == nil {
                start = index
            }
            text.formIndex(after: &index)
        }
        if let wordStart = start { words.append(Substring(text[wordStart..<text.endIndex])) }
        return words
    }

    /// `string.punctuation`.
    static func isASCIIPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: true
        default: false
        }
    }

    /// `str.isupper()`: at least one cased character and none lowercase or titlecase.
    static func isUpper(_ word: Substring) -> Bool {
        var cased = false
        for scalar in word.unicodeScalars {
            let properties = scalar.properties
            if properties.isLowercase || properties.generalCategory == .titlecaseLetter { return false }
            if properties.isUppercase { cased = true }
        }
        return cased
    }

    /// Python's `round(x, digits)`: the exact binary value rounded half-to-even, which is what C's
    /// `%.*f` formatting does too.
    static func round(_ value: Double, _ digits: Int) -> Double {
        var power = 1.0
        for _ in 0..<digits { power *= 10 }
        let scaled = value * power
        // Exact unless the value is within rounding error of a tie; those go through formatting.
        let nearest = scaled.rounded(.toNearestOrEven)
        if abs(scaled - nearest) < 0.499_999 || !scaled.isFinite {
            let result = nearest / power
            return result == 0 ? 0 : result
        }
        return Double(formatFixed(value, digits)) ?? value
    }

    private static func formatFixed(_ value: Double, _ digits: Int) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            _ = withVaList([value]) { vsnprintf(buffer.baseAddress, 64, "%.\(digits)f", $0) }
            return String(cString: buffer.baseAddress!)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
