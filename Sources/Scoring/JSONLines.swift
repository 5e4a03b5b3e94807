/// The JSON of `chorus score --jsonl`, without Foundation's `JSONDecoder`/`JSONEncoder` per
/// line (they took most of the process's time: issue 19). Hand-written for one fixed shape each
/// way, and held to Foundation by a property test on generated and hostile lines
/// (`JSONLinesTests`): the reader accepts exactly what `JSONDecoder` accepts for
/// `{"text": String, "language": String?}` — including its leniencies (a byte-order mark, trailing
/// commas, numbers and strings of ignored members scanned but not validated, the first of
/// duplicate keys) and its depth limit — and the writer's bytes equal `JSONEncoder`'s with
/// `.sortedKeys, .withoutEscapingSlashes`.
public enum JSONLines {
    public struct Malformed: Error, Equatable {}

    /// The `"text"` and `"language"` members of one line holding a JSON object.
    public static func request(_ line: String) throws -> (text: String, language: String?) {
        var line = line
        return try line.withUTF8 { bytes in
            var reader = Reader(bytes: bytes)
            return try reader.request()
        }
    }

    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0
        /// Foundation's limit: an object holding 511 nested arrays is read, 512 are not.
        static let maximumDepth = 512

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func request() throws -> (text: String, language: String?) {
            // A UTF-8 byte-order mark, once, at the start.
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
            skipSpace()
            guard current == UInt8(ascii: "{") else { throw Malformed() }
            position += 1
            var text: String?
            var language: String?
            var seenText = false
            var seenLanguage = false
            try members { reader, key in
                if key == "text" && !seenText {
                    seenText = true
                    guard reader.current == UInt8(ascii: "\"") else { throw Malformed() }
                    text = try reader.string()
                } else if key == "language" && !seenLanguage {
                    seenLanguage = true
                    if reader.current == UInt8(ascii: "\"") {
                        language = try reader.string()
                    } else {
                        try reader.literal("null")
                    }
                } else {
                    try reader.skipValue(depth: 1)
                }
            }
            skipSpace()
            guard position == bytes.count, let text else { throw Malformed() }
            return (text, language)
        }

        mutating func skipSpace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
        }

        /// The elements of an object or array after its opening bracket, through `closing`, each
        /// read by `element`; Foundation accepts a trailing comma.
        mutating func elements(closing: UInt8, _ element: (inout Reader) throws -> Void) throws {
            skipSpace()
            if current == closing {
                position += 1
                return
            }
            while true {
                skipSpace()
                try element(&self)
                skipSpace()
                guard let byte = current else { throw Malformed() }
                position += 1
                if byte == closing { return }
                guard byte == UInt8(ascii: ",") else { throw Malformed() }
                skipSpace()
                if current == closing {
                    position += 1
                    return
                }
            }
        }

        /// An object's members after its `{`, through its `}`; `value` reads each member's value.
        /// The keys of the top object are decoded (strictly, as Foundation does); those of an
        /// ignored object are only scanned (`key` nil).
        mutating func members(decodingKeys: Bool = true, _ value: (inout Reader, String?) throws -> Void) throws {
            try elements(closing: UInt8(ascii: "}")) { reader in
                guard reader.current == UInt8(ascii: "\"") else { throw Malformed() }
                var key: String?
                if decodingKeys { key = try reader.string() } else { try reader.skipString() }
                reader.skipSpace()
                guard reader.current == UInt8(ascii: ":") else { throw Malformed() }
                reader.position += 1
                reader.skipSpace()
                try value(&reader, key)
            }
        }

        mutating func skipValue(depth: Int) throws {
            guard let byte = current else { throw Malformed() }
            switch byte {
            case UInt8(ascii: "\""): try skipString()
            case UInt8(ascii: "{"):
                guard depth < Self.maximumDepth else { throw Malformed() }
                position += 1
                try members(decodingKeys: false) { reader, _ in try reader.skipValue(depth: depth + 1) }
            case UInt8(ascii: "["):
                guard depth < Self.maximumDepth else { throw Malformed() }
                position += 1
                try elements(closing: UInt8(ascii: "]")) { try $0.skipValue(depth: depth + 1) }
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                // Scanned, not validated (as Foundation does for a value it is not asked for).
                while let next = current, Self.isNumberByte(next) { position += 1 }
                try requireEndOfValue()
            default: throw Malformed()
            }
        }

        static func isNumberByte(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"),
                UInt8(ascii: "-"):
                true
            default: false
            }
        }

        /// After a number or literal: the end, space, or a separator.
        func requireEndOfValue() throws {
            guard let byte = current else { return }
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"): return
            default: throw Malformed()
            }
        }

        mutating func literal(_ word: StaticString) throws {
            let count = word.utf8CodeUnitCount
            guard bytes.count - position >= count else { throw Malformed() }
            for index in 0..<count where bytes[position + index] != word.utf8Start[index] { throw Malformed() }
            position += count
            try requireEndOfValue()
        }

        /// A string not asked for: to its closing quote, escapes skipped unread — as Foundation
        /// scans it: a backslash escapes the next byte, and `\u` the next four, whatever they
        /// are (backslashes included) except a quote.
        mutating func skipString() throws {
            position += 1
            while let byte = current {
                position += 1
                if byte == UInt8(ascii: "\"") { return }
                guard byte == UInt8(ascii: "\\"), let escaped = current else { continue }
                position += 1
                guard escaped == UInt8(ascii: "u") else { continue }
                guard bytes.count - position >= 4 else { throw Malformed() }
                for _ in 0..<4 {
                    guard bytes[position] != UInt8(ascii: "\"") else { throw Malformed() }
                    position += 1
                }
            }
            throw Malformed()
        }

        /// A string asked for (a key, the text, the language), decoded and validated.
        mutating func string() throws -> String {
            position += 1
            let start = position
            // The common case: no escapes, so the bytes are the string.
            while let byte = current {
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                    position += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                guard byte >= 0x20 else { throw Malformed() }
                position += 1
            }
            var decoded = Array(bytes[start..<position])
            while let byte = current {
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return String(decoding: decoded, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard let escaped = current else { throw Malformed() }
                    position += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(escaped)
                    case UInt8(ascii: "b"): decoded.append(0x08)
                    case UInt8(ascii: "f"): decoded.append(0x0C)
                    case UInt8(ascii: "n"): decoded.append(0x0A)
                    case UInt8(ascii: "r"): decoded.append(0x0D)
                    case UInt8(ascii: "t"): decoded.append(0x09)
                    case UInt8(ascii: "u"):
                        let scalar = try unicodeEscape()
                        decoded.append(contentsOf: String(Character(scalar)).utf8)
                    default: throw Malformed()
                    }
                default:
                    guard byte >= 0x20 else { throw Malformed() }
                    decoded.append(byte)
                }
            }
            throw Malformed()
        }

        /// The scalar of `\uXXXX` (after the `u`), a surrogate pair taking two escapes.
        mutating func unicodeEscape() throws -> Unicode.Scalar {
            let first = try hex4()
            if (0xD800...0xDBFF).contains(first) {
                guard bytes.count - position >= 6, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw Malformed()
                }
                position += 2
                let second = try hex4()
                guard (0xDC00...0xDFFF).contains(second),
                    let scalar = Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
                else { throw Malformed() }
                return scalar
            }
            guard let scalar = Unicode.Scalar(first) else { throw Malformed() }
            return scalar
        }

        mutating func hex4() throws -> UInt32 {
            guard bytes.count - position >= 4 else { throw Malformed() }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                position += 1
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw Malformed()
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
    }

    /// Writes JSON values byte for byte as `JSONEncoder` with `.sortedKeys` and
    /// `.withoutEscapingSlashes` does; objects are written by the caller with keys in sorted order.
    public struct Writer {
        public var bytes: [UInt8] = []

        public init() {}

        public mutating func raw(_ text: StaticString) {
            bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }

        public mutating func string(_ value: String) {
            bytes.append(UInt8(ascii: "\""))
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\""): raw(#"\""#)
                case UInt8(ascii: "\\"): raw(#"\\"#)
                case 0x0A: raw(#"\n"#)
                case 0x0D: raw(#"\r"#)
                case 0x09: raw(#"\t"#)
                case 0x08: raw(#"\b"#)
                case 0x0C: raw(#"\f"#)
                case 0..<0x20:
                    raw(#"\u00"#)
                    bytes.append(Self.hexDigits[Int(byte >> 4)])
                    bytes.append(Self.hexDigits[Int(byte & 0xF)])
                default: bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }

        static let hexDigits = Array("0123456789abcdef".utf8)

        /// Swift's shortest round-trip form, without a trailing ".0" (as JSONEncoder writes it).
        /// Not finite: `null` (JSONEncoder would throw; no score is ever NaN or infinite).
        public mutating func number(_ value: Double) {
            guard value.isFinite else { return raw("null") }
            let text = value.description
            if text.hasSuffix(".0") {
                bytes.append(contentsOf: text.utf8.dropLast(2))
            } else {
                bytes.append(contentsOf: text.utf8)
            }
        }

        public mutating func number(_ value: Int) { bytes.append(contentsOf: String(value).utf8) }

        public mutating func bool(_ value: Bool) { value ? raw("true") : raw("false") }

        /// `[a,b,…]` with `element` writing each.
        public mutating func array<T>(_ values: [T], _ element: (inout Writer, T) -> Void) {
            bytes.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                element(&self, value)
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }
}
