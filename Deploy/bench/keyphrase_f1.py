"""F1@10 on 500N-KPCrowd for Chorus's output (JSON lines in document order) and for yake 0.7.3."""
import json
import sys

import yake
from nltk.stem.porter import PorterStemmer

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import kpcrowd  # noqa: E402

stemmer = PorterStemmer()


def norm(phrase):
    return " ".join(stemmer.stem(w) for w in phrase.lower().split())


def f1_at_10(predicted, gold):
    predicted = [norm(p) for p in predicted[:10]]
    gold = {norm(g) for g in gold}
    if not predicted or not gold:
        return 0.0
    hits = len(set(predicted) & gold)
    precision = hits / len(predicted)
    recall = hits / len(gold)
    return 0.0 if hits == 0 else 2 * precision * recall / (precision + recall)


def main():
    docs = kpcrowd.load(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        ours = [json.loads(line) for line in f]
    assert len(ours) == len(docs), (len(ours), len(docs))
    extractor = yake.KeywordExtractor(lan="en", n=3, top=10)
    chorus_scores, yake_scores = [], []
    for (name, text, gold), result in zip(docs, ours):
        chorus_scores.append(f1_at_10([k["phrase"] for k in result["keyphrases"]], gold))
        yake_scores.append(f1_at_10([k for k, _ in extractor.extract_keywords(text)], gold))
    print(f"500N-KPCrowd, {len(docs)} documents, F1@10 (Porter-stemmed exact match, mean per document)")
    print(f"  chorus     {sum(chorus_scores) / len(docs):.4f}")
    print(f"  yake 0.7.3 {sum(yake_scores) / len(docs):.4f}")


if __name__ == "__main__":
    main()
