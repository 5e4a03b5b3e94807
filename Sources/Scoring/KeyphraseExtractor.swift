/// Unsupervised keyphrase extraction following YAKE (Campos et al., "YAKE! Keyword extraction from
/// single documents using multiple local features", Information Sciences 509, 2020), written from
/// the paper. Each word gets five statistics (casing, position, frequency, relatedness to
/// context, spread over sentences, §3.2); candidates of 1–3 words that neither start nor end with a
/// stopword are scored from their words (§3.3, lower is more important) and near-duplicates are
/// dropped (§3.4). The score we return is `1 / (1 + S)`: higher means more important.
public struct KeyphraseExtractor: Sendable {
    public var maximumWords = 3
    /// Levenshtein similarity above which a candidate counts as a duplicate of a better one.
    public var deduplicationThreshold = 0.8

    public init() {}

    public func extract(_ text: String, language: Language, top: Int = 10) -> [Keyphrase] {
        let document = Document(text: text, language: language)
        guard !document.terms.isEmpty, top > 0 else { return [] }
        var selected: [Keyphrase] = []
        var selectedKeys: [[UInt8]] = []
        var ranking = BestFirst(document.candidates(maximumWords: maximumWords))
        while selected.count < top, let candidate = ranking.next() {
            let key = document.key(candidate)
            if selectedKeys.contains(where: {
                Self.similarity($0, key, threshold: deduplicationThreshold) > deduplicationThreshold
            }) {
                continue
            }
            selectedKeys.append(key)
            selected.append(Keyphrase(phrase: document.surface(candidate), score: 1 / (1 + candidate.score)))
        }
        return selected
    }

    /// 1 − Levenshtein distance / longer length, over UTF-8 bytes (keys are lowercase and
    /// mostly ASCII). Returns early when the lengths alone keep it under `threshold`.
    static func similarity(_ a: [UInt8], _ b: [UInt8], threshold: Double = 0) -> Double {
        if a.isEmpty || b.isEmpty { return a.count == b.count ? 1 : 0 }
        let longer = Double(Swift.max(a.count, b.count))
        if Double(Swift.min(a.count, b.count)) / longer <= threshold { return 0 }
        // Bag distance (bytes hashed into 64 buckets) is a lower bound of the edit distance:
        // most pairs are rejected by it without the quadratic table.
        let sharedBound = withUnsafeTemporaryAllocation(of: Int32.self, capacity: 64) { histogram in
            histogram.initialize(repeating: 0)
            for byte in a { histogram[Int(byte & 63)] += 1 }
            var shared = 0
            for byte in b where histogram[Int(byte & 63)] > 0 {
                histogram[Int(byte & 63)] -= 1
                shared += 1
            }
            return shared
        }
        if 1 - Double(Swift.max(a.count, b.count) - sharedBound) / longer <= threshold { return 0 }
        let distance = a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (b.count + 1)) { buffer in
                    var previous = UnsafeMutableBufferPointer(rebasing: buffer[0...b.count])
                    var current = UnsafeMutableBufferPointer(rebasing: buffer[(b.count + 1)...])
                    for j in 0...b.count { previous[j] = j }
                    for i in 1...a.count {
                        current[0] = i
                        let byte = a[i - 1]
                        for j in 1...b.count {
                            current[j] = Swift.min(
                                previous[j] + 1,
                                current[j - 1] + 1,
                                previous[j - 1] + (byte == b[j - 1] ? 0 : 1)
                            )
                        }
                        swap(&previous, &current)
                    }
                    return previous[b.count]
                }
            }
        }
        return 1 - Double(distance) / longer
    }
}

/// Candidates by ascending score (ties by first appearance, so results are deterministic),
/// popped from a binary heap: only the few that are selected get ordered, not all of them.
struct BestFirst {
    private var heap: [(score: Double, index: Int)]
    private let candidates: [Document.Candidate]

    init(_ candidates: [Document.Candidate]) {
        self.candidates = candidates
        heap = candidates.enumerated().map { ($0.element.score, $0.offset) }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(index) }
    }

    @inline(__always)
    private func less(_ a: Int, _ b: Int) -> Bool {
        heap[a].score < heap[b].score || (heap[a].score == heap[b].score && heap[a].index < heap[b].index)
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            if left >= heap.count { return }
            var smallest = left
            if left + 1 < heap.count && less(left + 1, left) { smallest = left + 1 }
            if !less(smallest, parent) { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }

    mutating func next() -> Document.Candidate? {
        guard let best = heap.first else { return nil }
        heap[0] = heap[heap.count - 1]
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
        return candidates[best.index]
    }
}

public struct Keyphrase: Sendable, Equatable, Codable {
    public var phrase: String
    public var score: Double
}

/// One document, tokenized into sentences and chunks (runs of words between punctuation),
/// working on UTF-8 bytes with integer term ids so that no `String` is made per word.
struct Document {
    struct Token {
        var term: Int32
        var surface: Range<Int>
    }

    struct Term {
        var isStopword: Bool
        var isUnusable: Bool
        var lower: Range<Int>
        var count: Int32 = 0
        var uppercaseCount: Int32 = 0
        var acronymCount: Int32 = 0
        var sentenceCount: Int32 = 0
        var lastSentence: Int32 = -1
    }

    struct Candidate {
        var terms: CandidateKey
        var firstSurface: Range<Int>
        var score: Double
    }

    /// Up to three term ids; -1 marks an unused place.
    struct CandidateKey {
        var a: Int32, b: Int32, c: Int32
        var count: Int { c >= 0 ? 3 : b >= 0 ? 2 : 1 }
        subscript(place: Int) -> Int32 { place == 0 ? a : place == 1 ? b : c }
    }

    let bytes: [UInt8]
    var lowerBytes: [UInt8] = []
    var terms: [Term] = []
    /// All word tokens in order; `chunkEnds` marks where each chunk stops.
    var tokens: [Token] = []
    var chunkEnds: [Int] = []
    /// (term, sentence) the first time a term appears in each sentence, in document order.
    var occurrences: [(term: Int32, sentence: Int32)] = []
    var sentenceCount = 0

    init(text: String, language: Language) {
        bytes = Array(text.utf8)
        var table = ByteTable<Int32>(capacity: max(16, bytes.count / 8))
        let asciiWord = Self.asciiWord
        var sentence: Int32 = 0
        var sentenceHasWords = false
        var atSentenceStart = true
        var newlines = 0
        var wordStart: Int?
        var position = 0
        // Rough sizes from the byte count, so the arrays rarely regrow (a measurable cost on
        // short comments).
        lowerBytes.reserveCapacity(bytes.count)
        tokens.reserveCapacity(bytes.count / 4)
        terms.reserveCapacity(bytes.count / 5)
        occurrences.reserveCapacity(bytes.count / 4)
        chunkEnds.reserveCapacity(bytes.count / 16)

        func endChunk() {
            if tokens.count > (chunkEnds.last ?? 0) { chunkEnds.append(tokens.count) }
        }
        func endSentence() {
            endChunk()
            if sentenceHasWords { sentence += 1 }
            sentenceHasWords = false
            atSentenceStart = true
        }
        func addWord(_ range: Range<Int>) {
            var ascii = true
            var letters = 0
            var uppercase = 0
            for index in range {
                let byte = bytes[index]
                if byte >= 0x80 {
                    ascii = false
                    break
                }
                if byte >= 65 && byte <= 90 {
                    letters += 1
                    uppercase += 1
                } else if byte >= 97 && byte <= 122 {
                    letters += 1
                }
            }
            let lowerStart = lowerBytes.count
            var firstIsUpper: Bool
            if ascii {
                for index in range {
                    let byte = bytes[index]
                    lowerBytes.append(byte >= 65 && byte <= 90 ? byte + 32 : byte)
                }
                firstIsUpper = bytes[range.lowerBound] >= 65 && bytes[range.lowerBound] <= 90
            } else {
                let word = String(decoding: bytes[range], as: UTF8.self)
                lowerBytes.append(contentsOf: word.lowercased().utf8)
                letters = 0
                uppercase = 0
                for scalar in word.unicodeScalars where scalar.properties.isAlphabetic {
                    letters += 1
                    if scalar.properties.isUppercase { uppercase += 1 }
                }
                firstIsUpper = word.unicodeScalars.first?.properties.isUppercase ?? false
            }
            let lowerRange = lowerStart..<lowerBytes.count
            let nextID = Int32(table.count)
            let found = lowerBytes.withUnsafeBufferPointer { buffer in
                table.indexInserting(UnsafeBufferPointer(rebasing: buffer[lowerRange])) { nextID }
            }
            let term = Int(found.index)
            if found.inserted {
                let isStopword: Bool
                if ascii {
                    isStopword = lowerBytes.withUnsafeBufferPointer {
                        Stopwords.contains(UnsafeBufferPointer(rebasing: $0[lowerRange]), language: language)
                    }
                } else {
                    let lower = String(decoding: lowerBytes[lowerRange], as: UTF8.self)
                    isStopword = Stopwords.contains(TextFolding.fold(lower), language: language)
                }
                terms.append(Term(isStopword: isStopword, isUnusable: letters == 0, lower: lowerRange))
            } else {
                lowerBytes.removeSubrange(lowerRange)
            }
            terms[term].count += 1
            if letters > 1 && uppercase == letters {
                terms[term].acronymCount += 1
            } else if !atSentenceStart && firstIsUpper {
                terms[term].uppercaseCount += 1
            }
            if terms[term].lastSentence != sentence {
                terms[term].lastSentence = sentence
                terms[term].sentenceCount += 1
                occurrences.append((Int32(term), sentence))
            }
            tokens.append(Token(term: Int32(term), surface: range))
            sentenceHasWords = true
            atSentenceStart = false
        }

        while position < bytes.count {
            let byte = bytes[position]
            var length = 1
            var isWordByte: Bool
            var scalar = Unicode.Scalar(byte)
            if byte < 0x80 {
                isWordByte = asciiWord[Int(byte)]
                if !isWordByte, byte == UInt8(ascii: "'") || byte == UInt8(ascii: "-"), wordStart != nil,
                    position + 1 < bytes.count, Self.isLetterStart(bytes, position + 1)
                {
                    isWordByte = true
                }
            } else {
                length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
                var value = UInt32(byte) & (length == 4 ? 0x07 : length == 3 ? 0x0F : 0x1F)
                for offset in 1..<length { value = value << 6 | UInt32(bytes[position + offset] & 0x3F) }
                scalar = Unicode.Scalar(value) ?? " "
                switch value {
                case 0xC0...0x24F where value != 0xD7 && value != 0xF7:
                    isWordByte = true  // Latin-1 and Latin Extended letters: Spanish, French…
                case 0x2000...0x206F, 0x2190...0x2BFF, 0x1F000...:
                    // Spaces, punctuation, arrows, symbols and emoji: never part of a word.
                    isWordByte =
                        scalar == "’" && wordStart != nil && position + length < bytes.count
                        && Self.isLetterStart(bytes, position + length)
                default:
                    let properties = scalar.properties
                    isWordByte =
                        properties.isAlphabetic || properties.numericType != nil
                        || properties.generalCategory == .nonspacingMark
                }
            }
            if isWordByte {
                if wordStart == nil { wordStart = position }
                newlines = 0
            } else {
                if let start = wordStart {
                    addWord(start..<position)
                    wordStart = nil
                }
                switch scalar {
                case ".", "!", "?", "…", "¿", "¡":
                    endSentence()
                case "\n":
                    newlines += 1
                    if newlines >= 2 { endSentence() } else { endChunk() }
                case " ", "\t", "\r", "\u{A0}":
                    break
                default:
                    endChunk()
                }
            }
            position += length
        }
        if let start = wordStart { addWord(start..<bytes.count) }
        endSentence()
        sentenceCount = max(Int(sentence), 1)
    }

    static let asciiWord: [Bool] = (0..<128).map { byte in
        (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte)
    }

    static func isLetterStart(_ bytes: [UInt8], _ position: Int) -> Bool {
        let byte = bytes[position]
        if byte < 0x80 { return (65...90).contains(byte) || (97...122).contains(byte) }
        return byte >= 0xC0  // a non-ASCII scalar; letters are by far the common case here
    }

    func lower(_ term: Int32) -> String { String(decoding: lowerBytes[terms[Int(term)].lower], as: UTF8.self) }

    /// The lowercase words of a candidate joined by spaces, as bytes.
    func key(_ candidate: Candidate) -> [UInt8] {
        var key: [UInt8] = []
        for place in 0..<candidate.terms.count {
            if !key.isEmpty { key.append(UInt8(ascii: " ")) }
            key.append(contentsOf: lowerBytes[terms[Int(candidate.terms[place])].lower])
        }
        return key
    }

    /// Each chunk as a range of `tokens`.
    var chunkRanges: [Range<Int>] {
        var start = 0
        return chunkEnds.map { end in
            defer { start = end }
            return start..<end
        }
    }

    func surface(_ candidate: Candidate) -> String {
        String(decoding: bytes[candidate.firstSurface], as: UTF8.self)
    }

    /// Adjacent pairs inside chunks (the co-occurrence window of one word, as in the paper's default).
    func bigramCounts(_ chunks: [Range<Int>]) -> IntegerTable {
        var counts = IntegerTable(capacity: tokens.count)
        for chunk in chunks where chunk.count > 1 {
            for index in chunk.dropFirst() { counts.add(Self.pair(tokens[index - 1].term, tokens[index].term)) }
        }
        return counts
    }

    @inline(__always)
    static func pair(_ first: Int32, _ second: Int32) -> UInt64 { UInt64(UInt32(first)) << 32 | UInt64(UInt32(second)) }

    /// S(t) of §3.2 for every term.
    func termScores(bigrams: IntegerTable) -> [Double] {
        // Per term: distinct left neighbours, left co-occurrences, distinct right, right.
        var context = [(Int32, Int32, Int32, Int32)](repeating: (0, 0, 0, 0), count: terms.count)
        // swift-format-ignore: ReplaceForEachWithForLoop
        // (IntegerTable's own visitor, not a Sequence.)
        bigrams.forEach { pair, count in
            let first = Int(pair >> 32)
            let second = Int(pair & 0xFFFF_FFFF)
            context[second].0 += 1
            context[second].1 += count
            context[first].2 += 1
            context[first].3 += count
        }
        var sum = 0.0
        var squares = 0.0
        var maximum = 0.0
        var content = 0
        for term in terms where !term.isStopword {
            let frequency = Double(term.count)
            sum += frequency
            squares += frequency * frequency
            maximum = max(maximum, frequency)
            content += 1
        }
        if content == 0 {
            for term in terms {
                let frequency = Double(term.count)
                sum += frequency
                squares += frequency * frequency
                maximum = max(maximum, frequency)
            }
            content = terms.count
        }
        let mean = sum / Double(content)
        let deviation = max(0, squares / Double(content) - mean * mean).squareRoot()
        // Each term's sentence indices, contiguous and ascending (a counting sort of occurrences).
        var offsets = [Int](repeating: 0, count: terms.count + 1)
        for index in terms.indices { offsets[index + 1] = offsets[index] + Int(terms[index].sentenceCount) }
        var sentencesByTerm = [Int32](repeating: 0, count: occurrences.count)
        var fill = offsets
        for occurrence in occurrences {
            sentencesByTerm[fill[Int(occurrence.term)]] = occurrence.sentence
            fill[Int(occurrence.term)] += 1
        }
        return terms.indices.map { index in
            let term = terms[index]
            let frequency = Double(term.count)
            let casing = Double(max(term.uppercaseCount, term.acronymCount)) / (1 + log(frequency))
            let first = offsets[index]
            let count = Int(term.sentenceCount)
            let middle = first + count / 2
            let median =
                count % 2 == 1
                ? Double(sentencesByTerm[middle]) : Double(sentencesByTerm[middle - 1] + sentencesByTerm[middle]) / 2
            let position = log(log(3 + median))
            let normalizedFrequency = frequency / (mean + deviation)
            let (leftDistinct, leftTotal, rightDistinct, rightTotal) = context[index]
            let left = leftTotal == 0 ? 0 : Double(leftDistinct) / Double(leftTotal)
            let right = rightTotal == 0 ? 0 : Double(rightDistinct) / Double(rightTotal)
            let relatedness = 1 + (left + right) * (frequency / maximum)
            let different = Double(count) / Double(sentenceCount)
            return relatedness * position / (casing + normalizedFrequency / relatedness + different / relatedness)
        }
    }

    /// Candidates of §3.3 in order of first appearance (see `BestFirst` for ranking).
    func candidates(maximumWords: Int) -> [Candidate] {
        // Term ids fit in 21 bits each for any text we accept (4 MiB at most), so three pack into
        // one key; the table maps it to the candidate's place in `order`.
        var index = IntegerTable(capacity: tokens.count * 2)
        var order: [CandidateKey] = []
        var counts: [Int] = []
        var surfaces: [Range<Int>] = []
        order.reserveCapacity(tokens.count * 2)
        counts.reserveCapacity(tokens.count * 2)
        surfaces.reserveCapacity(tokens.count * 2)
        let chunks = chunkRanges
        for chunk in chunks {
            for start in chunk {
                let firstTerm = Int(tokens[start].term)
                if terms[firstTerm].isStopword || terms[firstTerm].isUnusable { continue }
                var ids = CandidateKey(a: -1, b: -1, c: -1)
                for length in 1...min(maximumWords, 3) {
                    let end = start + length - 1
                    guard end < chunk.upperBound else { break }
                    let lastTerm = tokens[end].term
                    if terms[Int(lastTerm)].isUnusable { break }
                    switch length {
                    case 1: ids.a = lastTerm
                    case 2: ids.b = lastTerm
                    default: ids.c = lastTerm
                    }
                    if terms[Int(lastTerm)].isStopword { continue }
                    let packed = UInt64(UInt32(ids.a + 1)) << 42 | UInt64(UInt32(ids.b + 1)) << 21 | UInt64(UInt32(ids.c + 1))
                    if let position = index[packed] {
                        counts[Int(position)] += 1
                    } else {
                        index.set(packed, Int32(order.count))
                        order.append(ids)
                        counts.append(1)
                        surfaces.append(tokens[start].surface.lowerBound..<tokens[end].surface.upperBound)
                    }
                }
            }
        }
        let bigrams = bigramCounts(chunks)
        let scores = termScores(bigrams: bigrams)
        var candidates: [Candidate] = []
        candidates.reserveCapacity(order.count)
        for (position, ids) in order.enumerated() {
            var product = 1.0
            var sum = 0.0
            for place in 0..<ids.count {
                let term = ids[place]
                if terms[Int(term)].isStopword {
                    // §3.3: a stopword inside a candidate weighs by how strongly it binds its
                    // neighbours (bigram probabilities on each side).
                    let previous = ids[place - 1]
                    let next = ids[place + 1]
                    let leftProbability = Double(bigrams[Self.pair(previous, term)] ?? 0) / Double(terms[Int(previous)].count)
                    let rightProbability = Double(bigrams[Self.pair(term, next)] ?? 0) / Double(terms[Int(next)].count)
                    let probability = leftProbability * rightProbability
                    product *= 1 + (1 - probability)
                    sum -= 1 - probability
                } else {
                    product *= scores[Int(term)]
                    sum += scores[Int(term)]
                }
            }
            let score = product / (Double(counts[position]) * (1 + sum))
            candidates.append(Candidate(terms: ids, firstSurface: surfaces[position], score: score))
        }
        return candidates
    }

}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
