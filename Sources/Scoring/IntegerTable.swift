/// An open-addressing map from packed integer keys to counts or indices, for the keyphrase
/// extractor's n-gram and bigram tallies (Swift's `Dictionary` spends most of its time hashing
/// with SipHash there).
struct IntegerTable {
    private var keys: [UInt64]
    private var values: [Int32]
    private var mask: Int
    private(set) var count = 0
    private static let empty = UInt64.max

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private func slot(for key: UInt64) -> Int {
        var hash = key &* 0x9E37_79B9_7F4A_7C15
        hash ^= hash >> 32
        var slot = Int(truncatingIfNeeded: hash) & mask
        while keys[slot] != key && keys[slot] != Self.empty { slot = (slot + 1) & mask }
        return slot
    }

    subscript(key: UInt64) -> Int32? {
        let slot = slot(for: key)
        return keys[slot] == key ? values[slot] : nil
    }

    /// Adds `amount` to the value of `key` (starting from 0); returns whether the key is new.
    @discardableResult
    mutating func add(_ key: UInt64, _ amount: Int32 = 1) -> Bool {
        var slot = slot(for: key)
        if keys[slot] == key {
            values[slot] += amount
            return false
        }
        if (count + 1) * 2 > keys.count {
            grow()
            slot = self.slot(for: key)
        }
        keys[slot] = key
        values[slot] = amount
        count += 1
        return true
    }

    mutating func set(_ key: UInt64, _ value: Int32) {
        var slot = slot(for: key)
        if keys[slot] != key {
            if (count + 1) * 2 > keys.count {
                grow()
                slot = self.slot(for: key)
            }
            keys[slot] = key
            count += 1
        }
        values[slot] = value
    }

    func forEach(_ body: (UInt64, Int32) -> Void) {
        for index in keys.indices where keys[index] != Self.empty { body(keys[index], values[index]) }
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = [UInt64](repeating: Self.empty, count: oldKeys.count * 2)
        values = [Int32](repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        for index in oldKeys.indices where oldKeys[index] != Self.empty {
            let slot = slot(for: oldKeys[index])
            keys[slot] = oldKeys[index]
            values[slot] = oldValues[index]
        }
    }
}
