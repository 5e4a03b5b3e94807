"""Texts per second of vaderSentiment 3.3.2 and yake 0.7.3 over a corpus (JSON lines with "text"),
single-threaded; prints one JSON object like `chorus bench scoring`."""
import json
import sys
import time

import yake
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


def measure(texts, seconds, body):
    for text in texts[:20]:
        body(text)
    start = time.perf_counter()
    done = 0
    while True:
        for text in texts:
            body(text)
        done += len(texts)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3
    analyzer = SentimentIntensityAnalyzer()
    extractor = yake.KeywordExtractor(lan="en", n=3, top=10)
    print(json.dumps({
        "texts": len(texts),
        "sentiment_texts_per_second": measure(texts, seconds, analyzer.polarity_scores),
        "keyphrases_texts_per_second": measure(texts, seconds, extractor.extract_keywords),
    }, sort_keys=True))


if __name__ == "__main__":
    main()
