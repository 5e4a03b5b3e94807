import Foundation

/// Lexicons and word lists shipped as resources of this module (see NOTICE for provenance).
enum ScoringResources {
    static func text(_ name: String) throws -> String {
        let parts = name.split(separator: ".", maxSplits: 1)
        guard
            let url = Bundle.module.url(
                forResource: String(parts[0]),
                withExtension: parts.count > 1 ? String(parts[1]) : nil,
                subdirectory: "Resources"
            )
        else {
            throw ScoringError(message: "resource \(name) is missing from the Scoring bundle")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}

public struct ScoringError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
