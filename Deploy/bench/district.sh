# Sourced by the district-scale benchmarks: builds chorus in release mode (as $BIN), starts a
# scratch PostgreSQL (stopped on exit), and loads `chorus demo --scale district` (1,000,000
# responses with their answers, 300,000 attendance rows, 100,000 sign-ups, 50 initiatives with a
# survey each, 90 schools; a few minutes) into a database of its own.
# CHORUS_BENCH_BIN=path uses that binary instead (e.g. a debug build, for a pessimistic figure).
source Deploy/lib.sh
ensure_packages libpq-dev libqrencode-dev postgresql pkg-config
if [ -n "${CHORUS_BENCH_BIN:-}" ]; then
    BIN="$CHORUS_BENCH_BIN"
else
    swift build -c release --product chorus >/dev/null
    BIN="$(swift build -c release --show-bin-path)/chorus"
fi
echo "binary: $BIN"
trap stop_scratch_cluster EXIT
start_scratch_cluster
psql "$DATABASE_URL" -qc "CREATE DATABASE chorus_bench" >/dev/null
export DATABASE_URL="${DATABASE_URL/\/postgres\?/\/chorus_bench?}"
export LOG_LEVEL=error
"$BIN" migrate >/dev/null
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; PostgreSQL $(postgres_bindir | grep -o '[0-9]*' | head -1)"
/usr/bin/time -f "demo loaded in %e s" "$BIN" demo --scale district
# Index-only scans need the visibility map; autovacuum would get there, the benchmark does not wait.
psql "$DATABASE_URL" -qc "VACUUM ANALYZE"
