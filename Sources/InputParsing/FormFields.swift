/// The fields of a submitted form: every value of every field, in the order sent, and the files
/// of a `multipart/form-data` body by field name.
///
/// `application/x-www-form-urlencoded` is read as the WHATWG URL Standard's
/// "application/x-www-form-urlencoded parser" (§5.1) reads it, over bytes: split on `&`, the
/// name ends at the first `=`, `+` is a space, a `%` not followed by two hex digits stays as it
/// is, and the bytes become text as UTF-8 with invalid sequences replaced by U+FFFD. Any byte
/// sequence is therefore a form; nothing here can trap (Foundation's `URLComponents` setters do,
/// on characters a browser would have encoded: issue 11).
public struct FormFields: Sendable, Equatable {
    public private(set) var fields: [String: [String]]
    /// Uploaded files of a `multipart/form-data` body, by field name (the first of each name).
    public private(set) var files: [String: [UInt8]]

    /// Most fields kept from one body; a longer form is cut here (bounded work per request).
    public static let maximumFields = 1_000

    public init(fields: [String: [String]] = [:], files: [String: [UInt8]] = [:]) {
        self.fields = fields
        self.files = files
    }

    public init(urlEncoded bytes: some Collection<UInt8>) {
        var fields: [String: [String]] = [:]
        var kept = 0
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            guard kept < Self.maximumFields else { break }
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            let name = Self.decode(pair[..<(equals ?? pair.endIndex)])
            let value = equals.map { Self.decode(pair[pair.index(after: $0)...]) } ?? ""
            fields[name, default: []].append(value)
            kept += 1
        }
        self.init(fields: fields)
    }

    /// The first value of a field, unless it is missing or only white space.
    public subscript(_ name: String) -> String? {
        fields[name]?.first.flatMap { $0.allSatisfy(\.isWhitespace) ? nil : $0 }
    }

    /// Every value of a field (checkboxes), in the order sent.
    public func all(_ name: String) -> [String] { fields[name] ?? [] }

    mutating func append(_ value: String, to name: String) {
        fields[name, default: []].append(value)
    }

    mutating func attach(_ file: [UInt8], to name: String) {
        if files[name] == nil { files[name] = file }
    }

    /// Percent-decoding over bytes; `+` is a space. Invalid escapes are data, not errors.
    static func decode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            index = bytes.index(after: index)
            if byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index != bytes.endIndex, let high = hexValue(bytes[index]),
                bytes.index(after: index) != bytes.endIndex, let low = hexValue(bytes[bytes.index(after: index)])
            {
                output.append(high << 4 | low)
                index = bytes.index(index, offsetBy: 2)
            } else {
                output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
