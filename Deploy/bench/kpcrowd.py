"""Helpers for the 500N-KPCrowd keyphrase data set (Marujo et al.), read from ../shared/data."""
import io
import json
import sys
import zipfile


def load(path):
    """Returns [(name, text, [gold keyphrases])] from the zip."""
    docs = {}
    keys = {}
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".txt") and "/docsutf8/" in name:
                docs[name.rsplit("/", 1)[1][:-4]] = archive.read(name).decode("utf-8", "replace")
            elif name.endswith(".key") and "/keys/" in name:
                text = archive.read(name).decode("utf-8", "replace")
                keys[name.rsplit("/", 1)[1][:-4]] = [k.strip() for k in text.splitlines() if k.strip()]
    return [(n, docs[n], keys.get(n, [])) for n in sorted(docs)]


if __name__ == "__main__":
    # Writes the documents as JSON lines for `chorus score --jsonl` and `chorus bench scoring`.
    for name, text, _ in load(sys.argv[1]):
        sys.stdout.write(json.dumps({"id": name, "text": text}, ensure_ascii=False) + "\n")
