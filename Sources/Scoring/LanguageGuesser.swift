/// The languages Chorus tells apart (issue 13): English and Spanish, which it scores for
/// sentiment, and the home languages its districts hear most after them. `und` is BCP 47's
/// "undetermined": a number, an emoji, a name.
public enum Language: String, Sendable, Codable, CaseIterable {
    case en, es, fr, pt, vi, zh, ar, am, ht, und

    /// A sentiment model exists (VADER for English, the Spanish lexicon); any other language is
    /// stored as not scored rather than read with the English lexicon.
    public var hasSentimentModel: Bool { self == .en || self == .es }

    /// Keyphrases need stopwords, which Chorus has for English and Spanish.
    public var hasStopwords: Bool { self == .en || self == .es }
}

/// What `LanguageGuesser` found: the language and how sure (0–1: the share of the evidence
/// that points to it, 1 for a script only one of the languages uses).
public struct LanguageGuess: Sendable, Equatable {
    public var language: Language
    public var confidence: Double
    /// Words in the text (short texts fall back to the form's language).
    public var words: Int
    /// Found by its script or letters only it uses (Vietnamese), which hold however short the text.
    public var byScript = false
}

/// Language identification from scripts, letters only some languages use, and frequent function
/// words of each language that are rare in the others: one pass, set lookups, deterministic, and
/// good on the short comments families write (figures in docs/scoring.md, from
/// `Deploy/bench/language_id`).
public struct LanguageGuesser: Sendable {
    public init() {}

    /// The language of `text` alone.
    public func identify(_ text: String) -> LanguageGuess {
        var scripts: [Language: Double] = [:]
        var latin = 0.0
        var score: [Language: Double] = [:]
        var vietnamese = 0
        for scalar in text.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x0600...0x06FF, 0x0750...0x077F, 0x08A0...0x08FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF: scripts[.ar, default: 0] += 1
            case 0x1200...0x139F, 0x2D80...0x2DDF, 0xAB00...0xAB2F: scripts[.am, default: 0] += 1
            case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF: scripts[.zh, default: 0] += 1
            case 0x0041...0x005A, 0x0061...0x007A, 0x00C0...0x024F, 0x1E00...0x1EFF: latin += 1
            default: break
            }
            if let cues = Self.letterCues[scalar] {
                for (language, weight) in cues { score[language, default: 0] += weight }
                if cues.contains(where: { $0 == (.vi, 1) }) { vietnamese += 1 }
            } else if (0x1EA0...0x1EF9).contains(v) {
                score[.vi, default: 0] += 1  // Latin Extended Additional: Vietnamese tone letters
                vietnamese += 1
            }
        }
        let words = TextFolding.words(text)
        // A script only one of the languages writes, when it is most of the letters.
        if let (language, count) = scripts.max(by: { $0.value < $1.value }), count >= latin {
            return LanguageGuess(language: language, confidence: 1, words: max(words.count, 1), byScript: true)
        }
        if vietnamese >= 2 { return LanguageGuess(language: .vi, confidence: 1, words: words.count, byScript: true) }
        for word in words {
            let folded = TextFolding.fold(word)
            var found = false
            for (language, markers) in Self.markers where markers.contains(folded) {
                score[language, default: 0] += 1
                found = true
            }
            if let shared = Self.sharedWords[folded] {
                for (language, weight) in shared { score[language, default: 0] += weight }
                found = true
            }
            // English contractions ("doesn't", "couldn't", "teacher's").
            if !found, folded.hasSuffix("n't") || folded.hasSuffix("'s") || folded.hasSuffix("'re") || folded.hasSuffix("'ll") {
                score[.en, default: 0] += 1
                found = true
            }
            // Endings and letter pairs say less than a word, and only of longer words.
            guard !found, folded.utf8.count >= 5 else { continue }
            for (ending, weights) in Self.endings where folded.hasSuffix(ending) {
                for (language, weight) in weights { score[language, default: 0] += weight }
                break
            }
            for (pair, weights) in Self.pairs where folded.contains(pair) {
                for (language, weight) in weights { score[language, default: 0] += weight }
            }
        }
        let total = score.values.reduce(0, +)
        guard total > 0, let best = score.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key.rawValue > $1.key.rawValue) })
        else {
            return LanguageGuess(language: .und, confidence: 0, words: words.count)
        }
        return LanguageGuess(language: best.key, confidence: best.value / total, words: words.count)
    }

    /// `identify(text).language` (tests and callers without a form language).
    public func guess(_ text: String) -> Language { identify(text).language }

    /// The language to store for a text written in a form in `formLanguage` (a BCP 47 tag):
    /// the identified one, unless the text is too short or too mixed to tell (then the form's);
    /// the form's own tag when it names the same language (`zh-Hans` rather than `zh`).
    public func language(of text: String, formLanguage: String?) -> (tag: String, language: Language, confidence: Double) {
        let guess = identify(text)
        let form = formLanguage.map { String($0.split(separator: "-").first ?? "").lowercased() }
        let formKnown = form.flatMap(Language.init(rawValue:))
        // Two words say too little ("no comment", "so so", "me too"): the form's language, unless
        // the script says otherwise.
        let unsure = guess.language == .und || (!guess.byScript && (guess.words < 3 || guess.confidence < 0.6))
        if unsure, let formLanguage {
            return (formLanguage, formKnown ?? .und, guess.language == formKnown ? guess.confidence : 0)
        }
        if let formLanguage, form == guess.language.rawValue { return (formLanguage, guess.language, guess.confidence) }
        return (guess.language.rawValue, guess.language, guess.confidence)
    }

    /// Letters that point to some languages (weights per letter, lowercase and uppercase).
    static let letterCues: [Unicode.Scalar: [(Language, Double)]] = {
        var cues: [Unicode.Scalar: [(Language, Double)]] = [:]
        func add(_ letters: String, _ weights: [(Language, Double)]) {
            for character in letters + letters.uppercased() {
                for scalar in character.unicodeScalars { cues[scalar, default: []].append(contentsOf: weights) }
            }
        }
        add("ñ¿¡", [(.es, 1)])
        add("áíóú", [(.es, 0.4), (.pt, 0.3)])
        add("é", [(.es, 0.3), (.fr, 0.4), (.pt, 0.3)])
        add("èùûëïœ", [(.fr, 0.6)])
        add("à", [(.fr, 0.5), (.pt, 0.2)])
        add("âêîô", [(.fr, 0.4), (.pt, 0.3), (.vi, 0.3)])
        add("ç", [(.fr, 0.4), (.pt, 0.4)])
        add("ãõ", [(.pt, 1)])
        add("ò", [(.ht, 0.6)])
        add("ăđơư", [(.vi, 1)])
        return cues
    }()

    /// The most frequent words, shared by several of the languages, split by how often each uses
    /// them ("e" is Portuguese's "and", Spanish says "y").
    static let sharedWords: [String: [(Language, Double)]] = [
        "de": [(.es, 0.4), (.fr, 0.3), (.pt, 0.3)], "la": [(.es, 0.5), (.fr, 0.5)], "que": [(.es, 0.4), (.fr, 0.3), (.pt, 0.3)],
        "en": [(.es, 0.6), (.fr, 0.4)], "a": [(.es, 0.3), (.fr, 0.3), (.pt, 0.4)], "e": [(.pt, 1)], "o": [(.pt, 0.5), (.es, 0.5)],
        "dos": [(.pt, 0.6), (.es, 0.4)],
        "no": [(.es, 0.4), (.en, 0.4), (.pt, 0.2)], "se": [(.es, 0.5), (.pt, 0.3), (.fr, 0.2)], "un": [(.es, 0.5), (.fr, 0.5)],
        "por": [(.es, 0.6), (.pt, 0.4)], "para": [(.es, 0.5), (.pt, 0.5)], "como": [(.es, 0.5), (.pt, 0.5)],
        "son": [(.es, 0.7), (.fr, 0.3)], "tu": [(.es, 0.5), (.fr, 0.5)], "sobre": [(.es, 0.5), (.pt, 0.5)],
        "cada": [(.es, 0.5), (.pt, 0.5)], "entre": [(.es, 0.4), (.fr, 0.3), (.pt, 0.3)], "todos": [(.es, 0.6), (.pt, 0.4)],
    ]

    /// Word endings (of folded words of five letters or more): suffixes each language builds
    /// nouns, adverbs and verb forms with. The first that matches counts.
    static let endings: [(String, [(Language, Double)])] = [
        ("ciones", [(.es, 1)]), ("cion", [(.es, 1)]), ("coes", [(.pt, 1)]), ("cao", [(.pt, 1)]), ("tions", [(.en, 0.5), (.fr, 0.5)]),
        ("tion", [(.en, 0.5), (.fr, 0.5)]), ("idades", [(.pt, 1)]), ("idade", [(.pt, 1)]), ("idad", [(.es, 1)]), ("ing", [(.en, 1)]),
        ("ings", [(.en, 1)]), ("ness", [(.en, 1)]), ("mente", [(.es, 0.5), (.pt, 0.5)]), ("ment", [(.fr, 0.6), (.en, 0.4)]),
        ("eurs", [(.fr, 1)]), ("eur", [(.fr, 1)]), ("eux", [(.fr, 1)]), ("aient", [(.fr, 1)]), ("agem", [(.pt, 1)]),
        ("aje", [(.es, 1)]), ("ados", [(.es, 0.5), (.pt, 0.5)]), ("adas", [(.es, 0.5), (.pt, 0.5)]), ("ado", [(.es, 0.5), (.pt, 0.5)]),
        ("ada", [(.es, 0.5), (.pt, 0.5)]), ("ly", [(.en, 0.7)]), ("ed", [(.en, 0.5)]), ("ee", [(.fr, 0.5)]), ("es", [(.es, 0.2), (.fr, 0.2)]),
        ("ar", [(.es, 0.4), (.pt, 0.3)]), ("ir", [(.es, 0.3), (.pt, 0.3), (.fr, 0.2)]), ("er", [(.fr, 0.3), (.en, 0.3)]),
        ("ez", [(.fr, 0.6)]), ("ful", [(.en, 1)]), ("able", [(.en, 0.5), (.fr, 0.3)]), ("ible", [(.en, 0.5), (.fr, 0.3)]),
    ]

    /// Letter pairs common in one or two of the languages and rare in the others.
    static let pairs: [(String, [(Language, Double)])] = [
        ("th", [(.en, 0.4)]), ("wh", [(.en, 0.5)]), ("sh", [(.en, 0.3)]), ("ck", [(.en, 0.3)]), ("w", [(.en, 0.2)]),
        ("oo", [(.en, 0.3)]), ("nh", [(.pt, 0.5)]), ("lh", [(.pt, 0.5)]), ("ll", [(.es, 0.2), (.fr, 0.1)]),
        ("ou", [(.fr, 0.2)]), ("eau", [(.fr, 0.5)]), ("oi", [(.fr, 0.2)]),
    ]

    /// Frequent words of one language that are rare in the others, accent-folded ("a", "no",
    /// "me", "de", "la", "que" are shared and left out).
    static let markers: [Language: Set<String>] = [
        .en: [
            "the", "and", "is", "are", "was", "were", "be", "been", "of", "to", "in", "it", "that", "this", "with",
            "for", "on", "at", "my", "our", "we", "you", "they", "he", "she", "his", "her", "their", "not", "but",
            "have", "has", "had", "do", "does", "did", "i", "very", "would", "could", "should", "will", "can",
            "from", "about", "what", "when", "there", "more", "all", "so", "if", "or", "an", "school", "teacher",
            "kids", "child", "children", "thank", "thanks", "great", "good", "bad", "please", "too", "much",
            "don't", "it's", "i'm", "can't", "really", "just", "because", "like", "love", "need", "help", "well",
            "done", "which", "your", "cannot", "by", "new", "use", "used", "show", "set", "no-one",
            "these", "those", "than", "then", "them", "its", "any", "how", "who", "why", "where", "into", "out",
            "other", "only", "also", "after", "before", "each", "being", "some", "many", "way", "time", "make",
            // The most frequent English verbs and adjectives that no other of the languages writes.
            "must", "give", "given", "short", "old", "last", "first", "same", "own", "off", "up", "down", "over", "under",
            "still", "never", "always", "every", "here", "yet", "get", "got", "go", "going", "know", "think", "want", "see",
            "say", "take", "look", "find", "tell", "ask", "work", "feel", "try", "leave", "call", "keep", "let", "seem",
            "hear", "play", "run", "move", "bring", "write", "provide", "lose", "pay", "meet", "learn", "change", "understand",
            "watch", "follow", "create", "speak", "read", "allow", "add", "spend", "grow", "open", "walk", "offer", "remember",
            "buy", "wait", "send", "expect", "build", "stay", "reach", "remain", "suggest", "pass", "require", "requires",
            "contains", "remove", "found", "without", "while", "again", "enough", "late", "early", "long", "small", "big",
            "high", "low", "right", "left", "next", "few", "less", "least", "most", "both", "either", "neither", "such", "whole",
        ],
        .es: [
            "el", "los", "las", "del", "y", "es", "son", "fue", "un", "una", "por", "para", "con", "mi", "mis",
            "su", "sus", "nuestro", "nuestra", "muy", "pero", "se", "lo", "le", "les", "al", "como", "mas",
            "esta", "este", "esto", "estan", "hay", "ser", "estar", "tiene", "tienen", "nos", "yo", "ellos",
            "hijo", "hija", "hijos", "escuela", "maestro", "maestra", "gracias", "bueno", "buena", "malo",
            "mala", "porque", "cuando", "donde", "tambien", "nunca", "siempre", "nada", "todo", "todos", "ninos",
            "clase", "clases", "programa", "ayuda", "quiero", "necesitamos", "falta", "muchas", "mucho", "poco",
            "bien", "mal", "excelente", "puede", "pueden", "usar", "nuevo", "nueva",
            "sin", "sobre", "entre", "hasta", "desde", "cual", "cuales", "ya", "si", "otro", "otra", "cada",
            "eso", "esa", "ese", "estos", "estas", "ha", "han", "hacer", "vez", "dia", "usted", "ustedes",
            "ningun", "ninguna",
        ],
        .fr: [
            "le", "les", "des", "du", "une", "est", "et", "pas", "je", "nous", "vous", "il", "elle", "ils", "elles",
            "sont", "avec", "pour", "dans", "sur", "au", "aux", "ce", "cette", "ces", "qui", "mais", "ou",
            "plus", "merci", "ecole", "enfants", "enfant", "notre", "nos", "votre", "vos", "leur", "leurs",
            "etre", "avoir", "fait", "peut", "tout", "tous", "toutes", "comme", "aussi", "meme", "parce", "quand",
            "sans", "chez", "trop", "beaucoup", "faire", "aucun", "aucune", "n'est", "c'est", "j'ai", "d'un",
            "d'une", "l'ecole", "qu'il", "nouveau", "nouvelle",
            "utiliser", "lors", "cet", "ont", "ete", "deja", "apres", "avant", "depuis",
            "devoirs", "familles", "personne", "moins", "d'accord", "oui",
        ],
        .pt: [
            "nao", "sao", "com", "uma", "um", "os", "da", "das", "na", "em", "muito", "muita",
            "obrigado", "obrigada", "escola", "filho", "filha", "voce", "ele", "ela", "eles", "elas", "isso",
            "esse", "essa", "foi", "ter", "tem", "estao", "ao", "aos", "pelo", "pela", "seu", "sua", "nosso",
            "nossa", "ainda", "entao", "aqui", "sim", "criancas", "aula", "aulas", "trabalho", "coisa",
            "pode", "podem", "novo", "nova", "sem", "sobre", "ate", "quando", "onde",
            "qual", "quais", "outro", "outra", "cada", "ja", "fazer", "nenhum", "nenhuma",
            "tambem", "voces", "meu", "minha", "deste", "desta", "neste", "nesta", "num",
        ],
        .vi: [
            "toi", "khong", "cua", "duoc", "nhung", "cac", "mot", "voi", "trong", "nguoi",
            "truong", "chung", "giao", "vien", "huynh", "nhieu",

        ],
        .ht: [
            "mwen", "nou", "pa", "ak", "ki", "pou", "nan", "gen", "konnen", "bezwen", "lekol", "timoun", "pitit",
            "anpil", "mesi", "tanpri", "bagay", "kounye", "kijan", "poukisa", "paske", "yon", "moun", "fe",
            "ap", "elev", "pwofese", "travay", "manje", "jodi", "isit", "kounya", "pral", "konn", "bay", "kay",
        ],
    ]
}
