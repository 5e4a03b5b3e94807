/// English / Spanish / other, from function words and Spanish-only letters: cheap (one pass,
/// set lookups), deterministic, and good on the short comments families write. A text with no
/// evidence either way (a number, an emoji, a name) is `other`.
public enum Language: String, Sendable, Codable, CaseIterable {
    case en, es, other
}

public struct LanguageGuesser: Sendable {
    public init() {}

    public func guess(_ text: String) -> Language {
        var english = 0.0
        var spanish = 0.0
        for scalar in text.unicodeScalars {
            switch scalar {
            case "ñ", "Ñ", "¿", "¡": spanish += 1
            case "á", "é", "í", "ó", "ú", "Á", "É", "Í", "Ó", "Ú": spanish += 0.5
            default: break
            }
        }
        for word in TextFolding.words(text) {
            let folded = TextFolding.fold(word)
            if Self.englishMarkers.contains(folded) { english += 1 }
            if Self.spanishMarkers.contains(folded) { spanish += 1 }
        }
        if english == 0 && spanish == 0 { return .other }
        return spanish > english ? .es : .en
    }

    /// Frequent words of one language that are rare in the other ("a", "no", "me" are shared
    /// and left out).
    static let englishMarkers: Set<String> = [
        "the", "and", "is", "are", "was", "were", "be", "been", "of", "to", "in", "it", "that", "this", "with",
        "for", "on", "at", "my", "our", "we", "you", "they", "he", "she", "his", "her", "their", "not", "but",
        "have", "has", "had", "do", "does", "did", "i", "very", "would", "could", "should", "will", "can",
        "from", "about", "what", "when", "there", "more", "all", "so", "if", "or", "an", "school", "teacher",
        "kids", "child", "children", "thank", "thanks", "great", "good", "bad", "please", "too", "much",
        "don't", "it's", "i'm", "can't", "really", "just", "because", "like", "love", "need", "help",
    ]

    static let spanishMarkers: Set<String> = [
        "el", "la", "los", "las", "de", "del", "que", "y", "es", "son", "fue", "en", "un", "una", "por",
        "para", "con", "mi", "mis", "su", "sus", "nuestro", "nuestra", "muy", "pero", "se", "lo", "le",
        "les", "al", "como", "mas", "esta", "este", "esto", "estan", "hay", "ser", "estar", "tiene",
        "tienen", "nos", "yo", "ellos", "hijo", "hija", "hijos", "escuela", "maestro", "maestra",
        "gracias", "bueno", "buena", "malo", "mala", "porque", "cuando", "donde", "tambien", "nunca",
        "siempre", "nada", "todo", "todos", "ninos", "clase", "clases", "programa", "ayuda", "quiero",
        "necesitamos", "falta", "muchas", "mucho", "poco", "bien", "mal", "excelente",
    ]
}
