import Foundation
import Hummingbird

/// The pages' strings (Web/strings/LANG.json) and the language of a request: `?lang=` when
/// given, else the first of English or Spanish in `Accept-Language`, else English.
struct WebStrings: Sendable {
    static let languages = ["en", "es"]
    let table: [String: [String: String]]

    init() throws {
        var table: [String: [String: String]] = [:]
        for language in Self.languages {
            guard let url = Bundle.module.url(forResource: "Web/strings/\(language)", withExtension: "json") else {
                throw HTTPError(.internalServerError, message: "Web/strings/\(language).json is missing from the bundle")
            }
            table[language] = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: url))
        }
        self.table = table
    }

    subscript(_ language: String) -> [String: String] { table[language] ?? table["en"] ?? [:] }

    static func language(of request: Request) -> String {
        if let asked = request.uri.queryParameters["lang"].map(String.init), languages.contains(asked) { return asked }
        let accepted = (request.headers[.acceptLanguage] ?? "").split(separator: ",").compactMap { part -> (String, Double)? in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased().split(separator: "-").first.map(String.init) else { return nil }
            let q = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (tag, q)
        }
        return accepted.filter { languages.contains($0.0) && $0.1 > 0 }.max { $0.1 < $1.1 }?.0 ?? "en"
    }
}

extension [String: String] {
    /// A page string by key: a missing one shows its key rather than stopping the page.
    subscript(text key: String) -> String { self[key] ?? key }
}
