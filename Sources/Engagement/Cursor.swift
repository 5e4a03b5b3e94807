import Foundation

/// Keyset cursors: "after id N" for lists in id order, "before (time, id)" for newest-first lists.
/// Opaque to clients, validated on the way in (a bad cursor is a 400 naming `cursor`).
enum Cursor {
    static func afterID(_ cursor: String?) throws -> Int64 {
        guard let cursor else { return 0 }
        guard let id = Int64(cursor), id >= 0 else { throw EngagementError.invalid("cursor", "is not a cursor from this list") }
        return id
    }

    static func beforeTime(_ cursor: String?) throws -> (micros: Int64, id: Int64)? {
        guard let cursor else { return nil }
        let parts = cursor.split(separator: "_")
        guard parts.count == 2, let micros = Int64(parts[0]), let id = Int64(parts[1]) else {
            throw EngagementError.invalid("cursor", "is not a cursor from this list")
        }
        return (micros, id)
    }

    static func time(_ date: Date, _ id: Int64) -> String {
        "\(Int64((date.timeIntervalSince1970 * 1_000_000).rounded()))_\(id)"
    }
}
