import Foundation

#if FUZZING
/// libFuzzer's entry point: the target named by `CHORUS_FUZZ_TARGET` gets every input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let name = getenv("CHORUS_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = FuzzTarget.named(name) else {
        FileHandle.standardError.write(Data("CHORUS_FUZZ_TARGET must be one of: \(FuzzTarget.all.map(\.name).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    target.run(Array(UnsafeRawBufferPointer(start: start, count: count)))
    return 0
}
#else
/// Without libFuzzer (the ordinary build): replays inputs, `chorus-fuzz TARGET FILE…`, so the
/// committed corpus runs on every test run and a crash found by hand can be reproduced.
@main
struct ReplayCorpus {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = FuzzTarget.named(name) else {
            FileHandle.standardError.write(Data("usage: chorus-fuzz \(FuzzTarget.all.map(\.name).joined(separator: "|")) FILE…\n".utf8))
            exit(2)
        }
        var replayed = 0
        for path in arguments.dropFirst() {
            guard let file = fopen(path, "rb") else {
                FileHandle.standardError.write(Data("cannot open \(path)\n".utf8))
                exit(1)
            }
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let read = fread(&chunk, 1, chunk.count, file)
                if read <= 0 { break }
                bytes.append(contentsOf: chunk[0..<read])
            }
            fclose(file)
            target.run(bytes)
            replayed += 1
        }
        print("\(name): \(replayed) inputs replayed")
    }
}
#endif
