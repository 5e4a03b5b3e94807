import Foundation

/// One line of `chorus score --jsonl`: a JSON object with a `"text"` string; other fields are
/// ignored. Any bytes are safe to give; what is not such an object is an error, not a trap.
public enum ScoreRequestLine {
    struct Object: Decodable {
        let text: String
    }

    public struct NotAnObject: Error {}

    public static func text(of line: some StringProtocol) throws -> String {
        do {
            return try JSONDecoder().decode(Object.self, from: Data(line.utf8)).text
        } catch {
            throw NotAnObject()
        }
    }
}
