/// Case- and accent-insensitive forms of words ("Niño" → "nino", "ÉXITO" → "exito"), and the
/// word tokenizer used by the Spanish scorer, keyphrases and themes (VADER keeps its own, which
/// must match the reference exactly).
enum TextFolding {
    /// Lowercases and strips combining marks after canonical decomposition.
    static func fold(_ word: some StringProtocol) -> String {
        var ascii = true
        for byte in word.utf8 where byte >= 0x80 || (byte >= 65 && byte <= 90) {
            ascii = false
            break
        }
        if ascii { return String(word) }
        var result = String.UnicodeScalarView()
        for scalar in String(word).lowercased().latinDecomposed.unicodeScalars
        where scalar.properties.generalCategory != .nonspacingMark {
            result.append(scalar)
        }
        return String(result)
    }

    /// Word tokens: letters, digits and inner apostrophes or hyphens ("don't", "bien-estar").
    static func words(_ text: some StringProtocol) -> [Substring] {
        let text = Substring(text)
        var words: [Substring] = []
        var start: String.Index?
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let isWordCharacter =
                character.isLetter || character.isNumber
                || ((character == "'" || character == "-") && start != nil
                    && text.index(after: index) < text.endIndex && text[text.index(after: index)].isLetter)
            if isWordCharacter {
                if start == nil { start = index }
            } else if let wordStart = start {
                words.append(text[wordStart..<index])
                start = nil
            }
            index = text.index(after: index)
        }
        if let wordStart = start { words.append(text[wordStart..<text.endIndex]) }
        return words
    }
}

extension String {
    var latinDecomposed: String {
        // Swift's stdlib has no NFD API on Linux without Foundation; decompose the common Latin
        // letters by hand (enough for English and Spanish accents).
        var result = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if let decomposed = Latin1Decomposition.table[scalar] {
                result.append(decomposed.0)
                result.append(decomposed.1)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }
}

enum Latin1Decomposition {
    static let table: [Unicode.Scalar: (Unicode.Scalar, Unicode.Scalar)] = {
        let acute: Unicode.Scalar = "\u{301}"
        let grave: Unicode.Scalar = "\u{300}"
        let tilde: Unicode.Scalar = "\u{303}"
        let diaeresis: Unicode.Scalar = "\u{308}"
        let circumflex: Unicode.Scalar = "\u{302}"
        let cedilla: Unicode.Scalar = "\u{327}"
        var table: [Unicode.Scalar: (Unicode.Scalar, Unicode.Scalar)] = [:]
        let pairs: [(String, Unicode.Scalar)] = [
            ("áa ée íi óo úu ýy", acute), ("àa èe ìi òo ùu", grave), ("ñn õo ãa", tilde),
            ("äa ëe ïi öo üu ÿy", diaeresis), ("âa êe îi ôo ûu", circumflex), ("çc", cedilla),
        ]
        for (list, mark) in pairs {
            for pair in list.split(separator: " ") {
                let scalars = Array(pair.unicodeScalars)
                table[scalars[0]] = (scalars[1], mark)
            }
        }
        return table
    }()
}
