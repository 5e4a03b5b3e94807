#if canImport(Glibc)
import Glibc
#endif

/// Reads a file descriptor line by line in fixed-size blocks, so memory stays constant however
/// large the input. Bytes are decoded as UTF-8 with invalid sequences replaced by U+FFFD.
/// A line longer than `maximumLineBytes` is reported as too long and skipped, not buffered.
struct LineReader {
    enum Line {
        case text(String)
        case tooLong
    }

    let descriptor: Int32
    let maximumLineBytes: Int
    private var buffer: [UInt8] = []
    private var block = [UInt8](repeating: 0, count: 1 << 16)
    private var position = 0
    private var skipping = false
    private var finished = false

    init(descriptor: Int32, maximumLineBytes: Int = 4 << 20) {
        self.descriptor = descriptor
        self.maximumLineBytes = maximumLineBytes
    }

    mutating func next() throws -> Line? {
        while true {
            if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = buffer[position..<newline]
                position = newline + 1
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                if skipping {
                    skipping = false
                    return .tooLong
                }
                return .text(String(decoding: line, as: UTF8.self))
            }
            if finished {
                guard position < buffer.count || skipping else { return nil }
                let rest = buffer[position...]
                position = buffer.count
                if skipping {
                    skipping = false
                    return .tooLong
                }
                return .text(String(decoding: rest, as: UTF8.self))
            }
            // Compact, then read another block.
            if position > 0 {
                buffer.removeFirst(position)
                position = 0
            }
            if buffer.count > maximumLineBytes {
                buffer.removeAll(keepingCapacity: true)
                skipping = true
            }
            let count = block.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw LineReaderError(errno: errno)
            }
            if count == 0 {
                finished = true
            } else {
                buffer.append(contentsOf: block[0..<count])
            }
        }
    }
}

struct LineReaderError: Error, CustomStringConvertible {
    let errno: Int32
    var description: String { "read failed: \(String(cString: strerror(errno)))" }
}
