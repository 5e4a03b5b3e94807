import InputParsing
import NIOCore

/// `multipart/form-data`: the first line is the Content-Type header value, the rest the body.
extension FuzzTarget {
    static let multipart = FuzzTarget(name: "multipart") { bytes in
        let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
        let contentType = String(decoding: bytes[..<newline], as: UTF8.self)
        let body = ByteBuffer(bytes: bytes[min(newline + 1, bytes.endIndex)...])
        if let form = FormFields(multipart: body, contentType: contentType) {
            for name in form.fields.keys { _ = form[name] }
        }
    }
}
