import Foundation
import PostgresTesting
import QRCode
import Testing

/// The symbols libqrencode makes decode, with Debian's zbarimg, to the text they were made of:
/// the poster's SVG is drawn from the same modules (issue 16, A3).
@Suite struct QRCodeTests {
    @Test func aSymbolDecodesToItsText() async throws {
        let url = "https://chorus.example.org/checkin/42-Qx9_abcDEF-ghijklmnopq"
        let code = try #require(QRCode(url))
        #expect(code.modules.count == code.size * code.size)
        // A finder pattern's corner is dark and the square inside its ring light.
        #expect(code.isDark(row: 0, column: 0) && !code.isDark(row: 1, column: 1) && code.isDark(row: 2, column: 2))
        #expect(try await Self.decode(code) == url)
    }

    @Test func theSVGDrawsEveryDarkModuleOnce() throws {
        let code = try #require(QRCode("http://127.0.0.1:8080/checkin/7-abc"))
        let svg = code.svg(label: "Scan <to> check in")
        #expect(svg.contains(#"role="img" aria-label="Scan &lt;to&gt; check in""#))
        // Every rectangle of the path is one row's run of dark modules: their areas add up.
        let runs = svg.matches(of: /h(\d+)v1h-\d+z/).map { Int($0.1)! }
        #expect(runs.reduce(0, +) == code.modules.filter { $0 }.count)
    }

    @Test func textTooLongForASymbolGivesNone() {
        #expect(QRCode("") == nil)
        #expect(QRCode(String(repeating: "x", count: 5000)) == nil)
    }

    /// The symbol as a greyscale PGM picture, 4 pixels a module with the quiet zone, read by zbarimg.
    static func decode(_ code: QRCode) async throws -> String {
        let scale = 4
        let side = (code.size + 8) * scale
        var pixels = [UInt8](repeating: 255, count: side * side)
        for y in 0..<side {
            for x in 0..<side where code.isDark(row: y / scale - 4, column: x / scale - 4) {
                pixels[y * side + x] = 0
            }
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("chorus-qr-\(UUID().uuidString).pgm")
        try (Data("P5\n\(side) \(side)\n255\n".utf8) + Data(pixels)).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try await ChildProcess.run(["--quiet", "--raw", file.path], executable: URL(fileURLWithPath: "/usr/bin/zbarimg"))
        #expect(result.status == 0, "zbarimg: \(String(decoding: result.errors, as: UTF8.self))")
        return result.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
