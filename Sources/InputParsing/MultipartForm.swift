import MultipartKit
import NIOCore

extension FormFields {
    /// Longest boundary RFC 2046 §5.1.1 allows.
    static let maximumBoundaryLength = 70

    /// A `multipart/form-data` body (RFC 7578), framed by multipart-kit's parser: each part's
    /// `Content-Disposition` names its field, and a part with a `filename` is a file. `nil` when
    /// the content type carries no usable boundary or the body is not well-formed multipart.
    public init?(multipart body: ByteBuffer, contentType: String) {
        guard let boundary = Self.boundary(of: contentType),
            Self.partHeaderNamesAreASCII(Array(body.readableBytesView), delimiter: Array("--\(boundary)\r\n".utf8))
        else { return nil }
        let parser = MultipartParser(boundary: boundary)
        var form = FormFields()
        var disposition: String?
        var content: [UInt8] = []
        var parts = 0
        parser.onHeader = { name, value in
            if name.lowercased() == "content-disposition" { disposition = value }
        }
        parser.onBody = { chunk in content.append(contentsOf: chunk.readableBytesView) }
        parser.onPartComplete = {
            defer {
                disposition = nil
                content = []
            }
            parts += 1
            guard parts <= Self.maximumFields, let disposition else { return }
            let parameters = Self.parameters(of: disposition)
            guard let name = parameters["name"] else { return }
            if parameters["filename"] != nil {
                form.attach(content, to: name)
            } else {
                form.append(String(decoding: content, as: UTF8.self), to: name)
            }
        }
        do {
            try parser.execute(body)
        } catch {
            return nil
        }
        self = form
    }

    /// multipart-kit 4.7.1 looks a part's header-name bytes up in a 128-entry table and traps on
    /// any byte from 0x80 (found by `chorus-fuzz multipart`; docs/decisions.md). Such a name is
    /// never valid (RFC 9110 §5.1 token), so a body with one is refused here, before the parser
    /// sees it. multipart-kit starts a part's headers after `--boundary` CRLF wherever that
    /// stands (its preamble accepts one without the leading CRLF), so every such place is
    /// checked: header lines up to the empty line, the name up to the colon.
    static func partHeaderNamesAreASCII(_ bytes: [UInt8], delimiter: [UInt8]) -> Bool {
        guard let first = delimiter.first else { return true }
        var index = 0
        while let next = bytes[index...].firstIndex(of: first) {
            index = next + 1
            guard next + delimiter.count <= bytes.count, bytes[next..<next + delimiter.count].elementsEqual(delimiter) else { continue }
            var cursor = next + delimiter.count
            // One header line per pass; an empty line ends the headers.
            // (A header cut off by the end of the body counts too: the parser reads it byte by byte.)
            while cursor < bytes.count, !(cursor + 1 < bytes.count && bytes[cursor] == 13 && bytes[cursor + 1] == 10) {
                var inName = true
                while cursor < bytes.count, bytes[cursor] != 13 {
                    if bytes[cursor] == UInt8(ascii: ":") { inName = false }
                    if inName && bytes[cursor] >= 0x80 { return false }
                    cursor += 1
                }
                cursor += 2
            }
        }
        return true
    }

    /// The `boundary` parameter of a `multipart/form-data` content type, 1 to 70 characters.
    static func boundary(of contentType: String) -> String? {
        let parts = Self.parameters(of: contentType)
        guard parts[""]?.lowercased() == "multipart/form-data", let boundary = parts["boundary"], !boundary.isEmpty,
            boundary.utf8.count <= maximumBoundaryLength
        else { return nil }
        return boundary
    }

    /// A header value's `;`-separated parameters (RFC 9110 §5.6.6), names lower-cased, quoted
    /// strings unquoted (with `\` escapes); the leading value itself is under "". Whatever the
    /// order: `filename` before `name` is as good as after.
    static func parameters(of header: String) -> [String: String] {
        var result: [String: String] = [:]
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in header {
            if escaped {
                current.append(character)
                escaped = false
            } else if quoted && character == "\\" {
                current.append(character)
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
                current.append(character)
            } else if character == ";" && !quoted {
                pieces.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        pieces.append(current)
        for (index, piece) in pieces.enumerated() {
            let trimmed = piece.trimmed()
            guard index > 0 else {
                result[""] = trimmed
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            let name = trimmed[..<equals].trimmed().lowercased()
            var value = trimmed[trimmed.index(after: equals)...].trimmed()
            if value.count >= 2, value.first == "\"", value.last == "\"" {
                value = Self.unquote(value.dropFirst().dropLast())
            }
            if !name.isEmpty, result[name] == nil { result[name] = value }
        }
        return result
    }

    static func unquote(_ text: Substring) -> String {
        var output = ""
        var escaped = false
        for character in text {
            if !escaped && character == "\\" {
                escaped = true
            } else {
                output.append(character)
                escaped = false
            }
        }
        return output
    }
}

extension StringProtocol {
    func trimmed() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
