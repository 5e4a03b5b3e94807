/// Normalization shared by every scorer, applied before anything else.
///
/// Curly apostrophes and quotes become straight ones so "don’t" (as phones type it) negates like
/// "don't": the one deliberate difference from vaderSentiment, which would not recognise it.
/// NUL and other control characters (except tab and newline) become spaces.
public struct TextNormalizer: Sendable {
    public init() {}

    public func normalize(_ text: String) -> String {
        var needsWork = false
        for scalar in text.unicodeScalars where Self.replacement(scalar) != nil {
            needsWork = true
            break
        }
        guard needsWork else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            result.append(Self.replacement(scalar) ?? scalar)
        }
        return String(result)
    }

    private static func replacement(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar.value {
        case 0x2018, 0x2019, 0x201B, 0x2032: "'"
        case 0x00, 0x01...0x08, 0x0B, 0x0C, 0x0E...0x1F, 0x7F: " "
        default: nil
        }
    }
}
