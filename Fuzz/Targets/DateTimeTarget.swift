import InputParsing

/// RFC 3339 date-times: whatever is accepted must be a real moment, printed back the same.
extension FuzzTarget {
    static let dateTime = FuzzTarget(name: "datetime") { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        if let seconds = RFC3339.secondsSince1970(text) {
            precondition(seconds.isFinite && seconds > -62_200_000_000 && seconds < 253_403_000_000, "out of range: \(text)")
        }
    }
}
