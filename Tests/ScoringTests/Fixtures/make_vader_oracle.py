#!/usr/bin/env python3
"""Generates vader_oracle.jsonl: varied texts with vaderSentiment 3.3.2's scores.

Run from the repository root:
    python3 -m venv /tmp/vader-venv && /tmp/vader-venv/bin/pip install vaderSentiment==3.3.2
    /tmp/vader-venv/bin/python Tests/ScoringTests/Fixtures/make_vader_oracle.py

The texts are built from a fixed seed out of school-feedback phrases and VADER's own word lists,
so they exercise every rule: negations (at distances 1-3, "n't", "never so"), "but", ALL CAPS
with and without a differential, "!" and "?" runs, boosters and dampeners ("kind of", "sort of"),
idioms and special cases, "least", "no", emoji, emoticons, punctuation-wrapped tokens, Unicode
whitespace, very long texts and empty ones. Curly apostrophes are normalized to "'" before
scoring, as Chorus does (a documented, deliberate difference from VADER).
"""
import json
import random
import sys

from vaderSentiment.vaderSentiment import (BOOSTER_DICT, NEGATE, SENTIMENT_LADEN_IDIOMS,
                                           SPECIAL_CASES, SentimentIntensityAnalyzer)

rng = random.Random(20261127)
analyzer = SentimentIntensityAnalyzer()
lexicon_words = sorted(analyzer.lexicon)
emoji_chars = sorted(k for k in analyzer.emojis if len(k) == 1)

subjects = ["the teacher", "my daughter", "the new laptop program", "the wifi", "the bus", "the cafeteria",
            "the principal", "the homework", "our school", "the family night", "the tutoring", "the survey",
            "the chromebooks", "the front office", "the counselor", "this initiative", "the math curriculum",
            "the parent portal", "the volunteers", "the library", "the playground", "the reading program"]
verbs = ["is", "was", "seems", "has been", "felt", "looks", "is not", "was never", "isn't", "wasn't",
         "has not been", "doesn't seem", "could be", "might be", "will be"]
sentiment_words = ["good", "great", "bad", "terrible", "helpful", "awful", "excellent", "poor", "amazing",
                   "horrible", "nice", "confusing", "wonderful", "disappointing", "fun", "boring", "safe",
                   "dangerous", "happy", "sad", "love", "hate", "useful", "useless", "fantastic", "slow",
                   "clean", "dirty", "friendly", "rude", "welcoming", "frustrating", "best", "worst", "ok"]
fillers = ["and", "or", "the", "a", "to", "of", "for", "with", "at", "in", "this", "that", "so",
           "but", "however", "really", "just", "also", "very", "least", "at least", "no", "not"]
emoticons = [":)", ":(", ":D", ":-)", ";)", ":/", ":'(", "<3", "</3", ":P", "xD", ":-(", "=)", "^_^", "8)"]
punct = [".", "!", "!!", "!!!", "!!!!!", "?", "??", "???", "????", "?!", "...", ",", ";", ""]
spaces = [" ", " ", " ", " ", "  ", "\t", "\u00a0", "\u2003", "\n"]


def word():
    r = rng.random()
    if r < 0.22:
        return rng.choice(sentiment_words)
    if r < 0.40:
        return rng.choice(lexicon_words)
    if r < 0.50:
        return rng.choice(sorted(BOOSTER_DICT))
    if r < 0.60:
        return rng.choice(NEGATE)
    if r < 0.85:
        return rng.choice(fillers)
    if r < 0.90:
        return rng.choice(emoticons)
    if r < 0.94:
        return rng.choice(emoji_chars)
    return rng.choice(subjects)


def shape(w):
    r = rng.random()
    if r < 0.12:
        return w.upper()
    if r < 0.20:
        return w.capitalize()
    if r < 0.26:
        return rng.choice(["(", "\"", "'", "*", "--"]) + w + rng.choice([")", "\"", "'", "*", ",", "."])
    if r < 0.30:
        return w + rng.choice(punct)
    return w


def sentence():
    kind = rng.random()
    if kind < 0.35:
        parts = [rng.choice(subjects), rng.choice(verbs)]
        if rng.random() < 0.5:
            parts.append(rng.choice(sorted(BOOSTER_DICT)))
        parts.append(rng.choice(sentiment_words))
        if rng.random() < 0.3:
            parts += ["but", rng.choice(subjects), rng.choice(verbs), rng.choice(sentiment_words)]
    elif kind < 0.45:
        idiom = rng.choice(sorted(SENTIMENT_LADEN_IDIOMS) + sorted(SPECIAL_CASES))
        parts = [rng.choice(subjects), rng.choice(verbs)] + idiom.split() + [rng.choice(sentiment_words)]
    elif kind < 0.55:
        parts = [rng.choice(["never", "without", "not", "no", "at least", "very least", "least"]),
                 rng.choice(["so", "this", "doubt", "really", "the", "a", "or", "nor"]),
                 rng.choice(["kind of", "sort of", "just enough", "very", "not"]),
                 rng.choice(sentiment_words)]
    else:
        parts = [word() for _ in range(rng.randint(1, 14))]
    words = " ".join(parts).split(" ")
    out = ""
    for i, w in enumerate(words):
        out += shape(w)
        if i < len(words) - 1:
            out += rng.choice(spaces)
    return out + rng.choice(punct)


def text():
    r = rng.random()
    if r < 0.01:
        return rng.choice(["", " ", "\n", "!!!", "???", ":)", "\u00a0"])
    if r < 0.03:
        return " ".join(sentence() for _ in range(rng.randint(40, 120)))
    t = " ".join(sentence() for _ in range(rng.randint(1, 4)))
    if rng.random() < 0.05:
        t = t.upper()
    if rng.random() < 0.03:
        t = t.replace("'", "\u2019")
    return t


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5200
    texts = [
        "VADER is smart, handsome, and funny.", "VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!",
        "VADER is not smart, handsome, nor funny.", "At least it isn't a horrible book.",
        "The plot was good, but the characters are uncompelling and the dialog is not great.",
        "Today only kinda sux! But I'll get by, lol", "Make sure you :) or :D today!",
        "Catch utf-8 emoji such as 💘 and 💋 and 😁", "Not bad at all", "The teacher is not so great",
        "no problems at all", "no no good", "it was good good but bad bad", "kind of good", "never so happy",
    ]
    while len(texts) < count:
        texts.append(text())
    with open("Tests/ScoringTests/Fixtures/vader_oracle.jsonl", "w", encoding="utf-8") as out:
        for t in texts:
            scores = analyzer.polarity_scores(t.replace("\u2019", "'").replace("\u2018", "'"))
            out.write(json.dumps({"text": t, "scores": scores}, ensure_ascii=False) + "\n")
    print(f"wrote {len(texts)} texts")


if __name__ == "__main__":
    main()
