# Sourced by the benchmark scripts: a throwaway venv with the Python reference implementations
# (vaderSentiment 3.3.2, yake 0.7.3, nltk for the Porter stemmer), outside the repository.
BENCH_VENV="${BENCH_VENV:-/tmp/chorus-bench-venv}"
if ! "$BENCH_VENV/bin/python" -c "import vaderSentiment, yake, nltk" 2>/dev/null; then
    command -v python3 >/dev/null || ensure_packages python3 python3-venv
    python3 -m venv "$BENCH_VENV" 2>/dev/null || { ensure_packages python3-venv; python3 -m venv "$BENCH_VENV"; }
    "$BENCH_VENV/bin/pip" install -q vaderSentiment==3.3.2 yake==0.7.3 nltk
fi
BENCH_PY="$BENCH_VENV/bin/python"
