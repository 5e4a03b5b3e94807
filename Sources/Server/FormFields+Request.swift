import InputParsing
import NIOCore

extension FormFields {
    /// A form body as a browser sends it: multipart (forms with a file) when it says so,
    /// URL-encoded otherwise. A multipart body that cannot be framed is an empty form, which
    /// every page answers with its own field errors.
    init(_ buffer: ByteBuffer, contentType: String? = nil) {
        if let contentType, contentType.lowercased().hasPrefix("multipart/") {
            self = FormFields(multipart: buffer, contentType: contentType) ?? FormFields()
        } else {
            self.init(urlEncoded: buffer.readableBytesView)
        }
    }
}
