/// Function words for keyphrase extraction, written for Chorus (no third-party list): articles,
/// pronouns, prepositions, conjunctions, auxiliaries and the most frequent adverbs of English and
/// Spanish. Keys are accent-folded and lowercased.
enum Stopwords {
    static func contains(_ folded: String, language: Language) -> Bool {
        switch language {
        case .es: spanish.contains(folded) || english.contains(folded) && folded.count <= 2
        default: english.contains(folded)
        }
    }

    /// The same test on UTF-8 bytes of a folded word, without making a `String`.
    static func contains(_ folded: UnsafeBufferPointer<UInt8>, language: Language) -> Bool {
        switch language {
        case .es: spanishTable[folded] != nil || (englishTable[folded] != nil && folded.count <= 2)
        default: englishTable[folded] != nil
        }
    }

    static let englishTable = ByteTable(english.map { ($0, true) })
    static let spanishTable = ByteTable(spanish.map { ($0, true) })

    static let english: Set<String> = [
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are",
        "aren't", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
        "by", "can", "can't", "cannot", "could", "couldn't", "did", "didn't", "do", "does", "doesn't",
        "doing", "don't", "down", "during", "each", "even", "ever", "every", "few", "for", "from", "further",
        "get", "gets", "got", "had", "hadn't", "has", "hasn't", "have", "haven't", "having", "he", "he'd",
        "he'll", "he's", "her", "here", "here's", "hers", "herself", "him", "himself", "his", "how", "how's",
        "however", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "into", "is", "isn't", "it", "it's", "its",
        "itself", "just", "let's", "like", "made", "make", "many", "may", "me", "might", "more", "most",
        "much", "must", "mustn't", "my", "myself", "never", "no", "nor", "not", "now", "of", "off", "on",
        "once", "one", "only", "or", "other", "ought", "our", "ours", "ourselves", "out", "over", "own",
        "really", "said", "same", "say", "says", "see", "shall", "shan't", "she", "she'd", "she'll", "she's",
        "should", "shouldn't", "since", "so", "some", "still", "such", "than", "that", "that's", "the",
        "their", "theirs", "them", "themselves", "then", "there", "there's", "these", "they", "they'd",
        "they'll", "they're", "they've", "this", "those", "though", "through", "to", "too", "two", "under",
        "until", "up", "upon", "us", "very", "was", "wasn't", "we", "we'd", "we'll", "we're", "we've",
        "well", "were", "weren't", "what", "what's", "when", "when's", "where", "where's", "whether",
        "which", "while", "who", "who's", "whom", "whose", "why", "why's", "will", "with", "within",
        "without", "won't", "would", "wouldn't", "yes", "yet", "you", "you'd", "you'll", "you're",
        "you've", "your", "yours", "yourself", "yourselves", "mr", "mrs", "ms", "dr", "lot", "lots",
        "thing", "things", "way", "ways", "also", "around", "among", "along", "across", "behind",
        "beyond", "near", "per", "via", "whatever", "whenever", "wherever", "whoever", "already",
        "almost", "always", "often", "sometimes", "usually", "quite", "rather", "several", "another",
        "else", "etc", "ago", "back", "new", "year", "years", "week", "weeks", "day", "days", "time",
    ]

    static let spanish: Set<String> = [
        "a", "al", "algo", "algun", "alguna", "algunas", "alguno", "algunos", "ante", "antes", "aqui",
        "asi", "aun", "aunque", "bajo", "bien", "cada", "casi", "como", "con", "contra", "cual", "cuales",
        "cuando", "cuanto", "de", "del", "desde", "donde", "dos", "durante", "e", "el", "ella", "ellas",
        "ello", "ellos", "en", "entre", "era", "eran", "es", "esa", "esas", "ese", "eso", "esos", "esta",
        "estaba", "estaban", "estado", "estamos", "estan", "estar", "estas", "este", "esto", "estos",
        "estoy", "fue", "fueron", "ha", "habia", "han", "hasta", "hay", "he", "hemos", "hace", "hacen",
        "hacer", "la", "las", "le", "les", "lo", "los", "mas", "me", "mi", "mis", "mismo", "mucho",
        "muchos", "muchas", "muy", "nada", "ni", "no", "nos", "nosotros", "nuestra", "nuestras",
        "nuestro", "nuestros", "o", "otra", "otras", "otro", "otros", "para", "pero", "poco", "por",
        "porque", "que", "quien", "quienes", "se", "sea", "segun", "ser", "si", "sido", "siempre", "sin",
        "sino", "sobre", "son", "su", "sus", "tal", "tambien", "tan", "tanto", "te", "tiene", "tienen",
        "todo", "todos", "toda", "todas", "tu", "tus", "u", "un", "una", "unas", "uno", "unos", "usted",
        "ustedes", "va", "van", "vez", "y", "ya", "yo", "solo", "ahora", "luego", "despues", "entonces",
        "puede", "pueden", "hacia", "mientras", "cual", "cuyo", "dia", "dias", "ano", "anos",
    ]
}
