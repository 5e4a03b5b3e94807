import Foundation

/// One line of `chorus score --jsonl`: a JSON object with a `"text"` string; other fields are
/// ignored. Any bytes are safe to give; what is not such an object is an error, not a trap.
public enum ScoreRequestLine {
    struct Object: Decodable {
        let text: String
        let language: String?
    }

    public struct NotAnObject: Error {}

    public static func text(of line: some StringProtocol) throws -> String {
        try request(of: line).text
    }

    /// The text and, when given, the language of the form it was written in (`"language"`).
    public static func request(of line: some StringProtocol) throws -> (text: String, language: String?) {
        do {
            let object = try JSONDecoder().decode(Object.self, from: Data(line.utf8))
            return (object.text, object.language)
        } catch {
            throw NotAnObject()
        }
    }
}
