#!/usr/bin/env python3
"""The language-identification test set and its report (Deploy/bench/language_id).

build N: short texts from the gettext catalogs installed under /usr/share/locale, read with
Python's gettext: the English message ids, and the translations into each language Chorus tells
apart, cleaned of UI markup (accelerators, format specifiers, tags, paths) and of untranslated
entries; up to N per language, sampled with a fixed seed. Each line: {"text", "language" (the
form's: the text's own), "expected"}.
report: accuracy per language and length (1-2, 3-4, >= 5 words), identification alone and with
the form's language, and the English texts sent to the Spanish scorer."""
import collections, glob, gettext, json, random, re, sys

LANGUAGES = {"es": ["es"], "fr": ["fr"], "pt": ["pt", "pt_BR"], "vi": ["vi"], "zh": ["zh_CN"], "ar": ["ar"], "am": ["am"], "ht": ["ht"]}


def clean(text):
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"%(\([a-z_]+\))?[-+ #0-9.*]*[a-zA-Z]|\{[^}]*\}|\$[A-Za-z_]+|&[a-z]+;", " ", text)
    text = re.sub(r"(?<=\w)_(?=\w)|^_|(?<=\s)_|&(?=\w)|~(?=\w)", "", text)
    text = re.sub(r"\S*[/\\=@]\S*|\S+\.\w{2,4}\b|--?\w[\w-]*", " ", text)
    text = re.sub(r"\s+", " ", text).strip(" .:;,-")
    letters = sum(c.isalpha() for c in text)
    if letters < 3 or letters < 0.6 * len(text.replace(" ", "")):
        return None
    return text


def catalogs(folder):
    pairs = set()
    for path in glob.glob(f"/usr/share/locale/{folder}/LC_MESSAGES/*.mo"):
        try:
            with open(path, "rb") as handle:
                catalog = gettext.GNUTranslations(handle)._catalog
        except Exception:
            continue
        for key, value in catalog.items():
            source = key[0] if isinstance(key, tuple) else key
            if isinstance(value, str) and source and value and value != source and "\n" not in value:
                pairs.add((source, value))
    return pairs


def words(text):
    return len(re.findall(r"\w+", text)) if re.search(r"[a-zA-Z\u00c0-\u024f\u1e00-\u1eff]", text) else max(1, len(text) // 2)


def build(per_language):
    rng = random.Random(13)
    english = set()
    rows = []
    for language, folders in LANGUAGES.items():
        texts = set()
        for folder in folders:
            for source, translation in catalogs(folder):
                if (t := clean(translation)) and len(t.split()) <= 40:
                    texts.add(t)
                if (e := clean(source)) and len(e.split()) <= 40:
                    english.add(e)
        chosen = sorted(texts)
        rng.shuffle(chosen)
        rows += [(language, t) for t in chosen[:per_language]]
    chosen = sorted(english)
    rng.shuffle(chosen)
    rows += [("en", t) for t in chosen[:per_language]]
    for language, text in rows:
        print(json.dumps({"text": text, "language": language, "expected": language}, ensure_ascii=False))


def bucket(n):
    return "1-2" if n <= 2 else "3-4" if n <= 4 else ">=5"


def report(texts, bare, form, start, end):
    rows = [json.loads(l) for l in open(texts)]
    alone = [json.loads(l) for l in open(bare)]
    withform = [json.loads(l) for l in open(form)]
    table = collections.defaultdict(lambda: collections.Counter())
    to_spanish = collections.Counter()
    for row, a, f in zip(rows, alone, withform):
        key = (row["expected"], bucket(words(row["text"])))
        primary = lambda tag: tag.split("-")[0]
        table[key]["n"] += 1
        table[key]["alone"] += primary(a["language"]) == row["expected"]
        table[key]["form"] += primary(f["language"]) == row["expected"]
        if row["expected"] == "en" and primary(a["language"]) == "es":
            to_spanish["alone"] += 1
        if row["expected"] == "en" and primary(f["language"]) == "es":
            to_spanish["form"] += 1
    seconds = float(end) - float(start)
    print(f"{len(rows)} texts; identification alone ran at {len(rows) / seconds:,.0f} texts/s (chorus score, keyphrases off)\n")
    print("| language | words | texts | correct, text alone | correct, with the form's language |")
    print("|---|---|---:|---:|---:|")
    for language in ["en", "es", "fr", "pt", "vi", "zh", "ar", "am", "ht"]:
        for b in ["1-2", "3-4", ">=5"]:
            c = table.get((language, b))
            if not c:
                continue
            print(f"| {language} | {b} | {c['n']} | {100 * c['alone'] / c['n']:.1f}% | {100 * c['form'] / c['n']:.1f}% |")
    print(f"\nEnglish texts identified as Spanish: {to_spanish['alone']} alone, {to_spanish['form']} with the form's language")
    misses = [(r["expected"], a["language"], r["text"]) for r, a in zip(rows, alone)
              if r["expected"] in ("en", "es") and words(r["text"]) >= 5 and a["language"].split("-")[0] != r["expected"]]
    routed = [(r["text"], words(r["text"])) for r, f in zip(rows, withform) if r["expected"] == "en" and f["language"].split("-")[0] == "es"]
    print("English texts on an English form sent to the Spanish scorer (words):", "; ".join(f"{t} ({n})" for t, n in routed[:10]))
    misses.sort(key=lambda m: m[0])
    for miss in misses[:12] + [m for m in misses if m[0] == "en"][:25]:
        print("  miss (alone, >= 5 words):", *miss)


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(int(sys.argv[2]))
    else:
        report(*sys.argv[2:7])
