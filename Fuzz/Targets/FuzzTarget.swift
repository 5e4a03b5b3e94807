/// A parser under fuzzing: `run` must return, whatever the bytes; a trap, a sanitizer report or
/// a hang is the finding. `Fuzz/run` builds this executable with libFuzzer
/// (`--sanitize=fuzzer -DFUZZING`) and runs one target at a time, chosen by `CHORUS_FUZZ_TARGET`.
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable ([UInt8]) -> Void

    static let all: [FuzzTarget] = [.form, .multipart, .cookies, .sheet, .query, .scoreLine, .dateTime]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}
