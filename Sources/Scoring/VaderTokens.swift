/// What VADER's rules ask of one lowercased word, gathered into one lookup.
struct WordInfo: Sendable {
    struct Flags: OptionSet, Sendable {
        let rawValue: UInt32
        static let negationListed = Flags(rawValue: 1 << 0)
        /// Occurs in a SPECIAL_CASES key or a multi-word booster.
        static let idiomWord = Flags(rawValue: 1 << 1)
        static let no = Flags(rawValue: 1 << 2)
        static let or = Flags(rawValue: 1 << 3)
        static let nor = Flags(rawValue: 1 << 4)
        static let kind = Flags(rawValue: 1 << 5)
        static let of = Flags(rawValue: 1 << 6)
        static let never = Flags(rawValue: 1 << 7)
        static let so = Flags(rawValue: 1 << 8)
        static let this = Flags(rawValue: 1 << 9)
        static let without = Flags(rawValue: 1 << 10)
        static let doubt = Flags(rawValue: 1 << 11)
        static let least = Flags(rawValue: 1 << 12)
        static let at = Flags(rawValue: 1 << 13)
        static let very = Flags(rawValue: 1 << 14)
        static let but = Flags(rawValue: 1 << 15)
    }

    var valence: Double?
    var booster: Double?
    var flags: Flags = []

    static let unknown = WordInfo()

    @inline(__always)
    func `is`(_ flag: Flags) -> Bool { flags.contains(flag) }

    static func table(lexicon: [(key: String, value: Double)]) -> ByteTable<WordInfo> {
        var infos: [String: WordInfo] = [:]
        var order: [String] = []
        func update(_ word: String, _ change: (inout WordInfo) -> Void) {
            if infos[word] == nil {
                infos[word] = WordInfo()
                order.append(word)
            }
            change(&infos[word]!)
        }
        for (word, value) in lexicon { update(word) { $0.valence = value } }
        for (word, value) in VaderSentiment.boosters where !word.contains(" ") { update(word) { $0.booster = value } }
        for word in VaderSentiment.negations { update(word) { $0.flags.insert(.negationListed) } }
        let multiWord = VaderSentiment.specialCases.keys + VaderSentiment.boosters.keys.filter { $0.contains(" ") }
        for phrase in multiWord {
            for word in phrase.split(separator: " ") { update(String(word)) { $0.flags.insert(.idiomWord) } }
        }
        let named: [(String, Flags)] = [
            ("no", .no), ("or", .or), ("nor", .nor), ("kind", .kind), ("of", .of), ("never", .never), ("so", .so),
            ("this", .this), ("without", .without), ("doubt", .doubt), ("least", .least), ("at", .at),
            ("very", .very), ("but", .but),
        ]
        for (word, flag) in named { update(word) { $0.flags.insert(flag) } }
        return ByteTable(order.map { ($0, infos[$0]!) })
    }
}

/// SentiText: the words of a prepared text (split on Python whitespace, ASCII punctuation
/// stripped unless that leaves two or fewer characters), their lowercase forms, ALL-CAPS flags
/// and lexicon entries — computed on the text's UTF-8 bytes, without a `String` per word.
struct Tokens {
    let bytes: [UInt8]
    private(set) var ranges: [Range<Int>] = []
    private var lowerBytes: [UInt8] = []
    private var lowerRanges: [Range<Int>] = []
    private(set) var upper: [Bool] = []
    private(set) var info: [WordInfo] = []
    private(set) var exclamations = 0
    private(set) var questions = 0

    var count: Int { ranges.count }

    init(prepared bytes: [UInt8], table: ByteTable<WordInfo>) {
        self.bytes = bytes
        lowerBytes.reserveCapacity(bytes.count)
        var position = 0
        var start: Int?
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "!") { exclamations += 1 }
            if byte == UInt8(ascii: "?") { questions += 1 }
            let (isSpace, length) = Self.whitespace(bytes, position)
            if isSpace {
                if let wordStart = start {
                    addWord(wordStart..<position, table)
                    start = nil
                }
            } else if start == nil {
                start = position
            }
            position += length
        }
        if let wordStart = start { addWord(wordStart..<bytes.count, table) }
    }

    func word(_ index: Int) -> String { String(decoding: bytes[ranges[index]], as: UTF8.self) }

    func lower(_ index: Int) -> String { String(decoding: lowerBytes[lowerRanges[index]], as: UTF8.self) }

    /// negated([word]): a listed negation, or any word containing "n't".
    func isNegation(_ index: Int) -> Bool {
        if info[index].is(.negationListed) { return true }
        let range = lowerRanges[index]
        guard range.count >= 3 else { return false }
        for start in range.lowerBound...(range.upperBound - 3)
        where lowerBytes[start] == UInt8(ascii: "n") && lowerBytes[start + 1] == UInt8(ascii: "'")
            && lowerBytes[start + 2] == UInt8(ascii: "t")
        {
            return true
        }
        return false
    }

    private mutating func addWord(_ token: Range<Int>, _ table: ByteTable<WordInfo>) {
        // _strip_punc_if_word
        var lower = token.lowerBound
        var upperBound = token.upperBound
        while lower < upperBound && PythonText.isASCIIPunctuation(Unicode.Scalar(bytes[lower])) { lower += 1 }
        while upperBound > lower && PythonText.isASCIIPunctuation(Unicode.Scalar(bytes[upperBound - 1])) { upperBound -= 1 }
        var characters = 0
        for index in lower..<upperBound where bytes[index] & 0xC0 != 0x80 { characters += 1 }
        let range = characters <= 2 ? token : lower..<upperBound
        ranges.append(range)

        var ascii = true
        var hasUpper = false
        var hasLower = false
        for index in range {
            let byte = bytes[index]
            if byte >= 0x80 {
                ascii = false
                break
            }
            if byte >= 65 && byte <= 90 { hasUpper = true } else if byte >= 97 && byte <= 122 { hasLower = true }
        }
        let lowerStart = lowerBytes.count
        if ascii {
            for index in range {
                let byte = bytes[index]
                lowerBytes.append(byte >= 65 && byte <= 90 ? byte + 32 : byte)
            }
            upper.append(hasUpper && !hasLower)
        } else {
            let word = String(decoding: bytes[range], as: UTF8.self)
            lowerBytes.append(contentsOf: word.lowercased().utf8)
            upper.append(PythonText.isUpper(Substring(word)))
        }
        let lowerRange = lowerStart..<lowerBytes.count
        lowerRanges.append(lowerRange)
        let found = lowerBytes.withUnsafeBufferPointer { buffer in
            table[UnsafeBufferPointer(rebasing: buffer[lowerRange])]
        }
        info.append(found ?? .unknown)
    }

    /// Where the scalar ending just before `end` starts.
    static func lastScalarStart(_ bytes: [UInt8], before end: Int) -> Int? {
        var start = end - 1
        while start > 0 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return start >= 0 ? start : nil
    }

    /// Whether a Python whitespace character starts at `position`, and its length in bytes.
    @inline(__always)
    static func whitespace(_ bytes: [UInt8], _ position: Int) -> (Bool, Int) {
        let byte = bytes[position]
        if byte < 0x80 { return (PythonText.isWhitespace(Unicode.Scalar(byte)), 1) }
        var value = UInt32(byte)
        var length = 1
        if byte >= 0xF0 {
            length = 4
            value &= 0x07
        } else if byte >= 0xE0 {
            length = 3
            value &= 0x0F
        } else {
            length = 2
            value &= 0x1F
        }
        guard position + length <= bytes.count else { return (false, 1) }
        for offset in 1..<length { value = value << 6 | UInt32(bytes[position + offset] & 0x3F) }
        return (Unicode.Scalar(value).map(PythonText.isWhitespace) ?? false, length)
    }
}
