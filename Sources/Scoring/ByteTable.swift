/// A read-only hash table keyed by UTF-8 bytes, so the scorers can look words up straight from
/// the text's buffer without making a `String` per word (the hot path of scoring).
struct ByteTable<Value: Sendable>: Sendable {
    private var keyBytes: [UInt8] = []
    private var keyRanges: [Range<Int>] = []
    private(set) var values: [Value] = []
    private var slots: [Int32]
    private var mask: Int

    /// An empty table to fill with `insert`.
    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
    }

    var count: Int { values.count }

    /// The index of `key`, inserting it with `value()` when missing.
    mutating func indexInserting(_ key: UnsafeBufferPointer<UInt8>, _ value: () -> Value) -> (index: Int, inserted: Bool) {
        if let existing = index(of: key) { return (existing, false) }
        if (values.count + 1) * 2 > slots.count { grow() }
        let start = keyBytes.count
        keyBytes.append(contentsOf: key)
        keyRanges.append(start..<keyBytes.count)
        values.append(value())
        var slot = Self.hash(key) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(values.count - 1)
        return (values.count - 1, true)
    }

    subscript(index index: Int) -> Value {
        get { values[index] }
        set { values[index] = newValue }
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        mask = slots.count - 1
        for (entry, range) in keyRanges.enumerated() {
            var slot = keyBytes.withUnsafeBufferPointer { Self.hash(UnsafeBufferPointer(rebasing: $0[range])) } & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(entry)
        }
    }

    init(_ entries: [(key: String, value: Value)]) {
        var capacity = 16
        while capacity < entries.count * 2 { capacity *= 2 }
        slots = [Int32](repeating: -1, count: capacity)
        mask = capacity - 1
        for (key, value) in entries {
            let bytes = Array(key.utf8)
            if let existing = bytes.withUnsafeBufferPointer({ index(of: $0) }) {
                values[existing] = value  // later duplicates win, as in a Python dict
                continue
            }
            let start = keyBytes.count
            keyBytes.append(contentsOf: bytes)
            keyRanges.append(start..<keyBytes.count)
            values.append(value)
            var slot = Self.hash(bytes.withUnsafeBufferPointer { $0 }) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(values.count - 1)
        }
    }

    @inline(__always)
    func index(of key: UnsafeBufferPointer<UInt8>) -> Int? {
        var slot = Self.hash(key) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            let range = keyRanges[entry]
            if range.count == key.count {
                var equal = true
                var offset = 0
                for byte in key {
                    if keyBytes[range.lowerBound + offset] != byte {
                        equal = false
                        break
                    }
                    offset += 1
                }
                if equal { return entry }
            }
            slot = (slot + 1) & mask
        }
    }

    @inline(__always)
    subscript(key: UnsafeBufferPointer<UInt8>) -> Value? {
        index(of: key).map { values[$0] }
    }

    subscript(key: String) -> Value? {
        var key = key
        return key.withUTF8 { self[$0] }
    }

    /// FNV-1a: short keys, no need for a keyed hash (the table is ours, not attacker-built).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }
}
