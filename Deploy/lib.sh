# Shared by Deploy/run and Deploy/test. Sourced, not run.

# Installs the Debian packages given as arguments when any is missing.
ensure_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "==> Installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# The PostgreSQL server programs (initdb, pg_ctl), newest version first.
postgres_bindir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
        [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
    done
    echo "PostgreSQL server programs not found" >&2
    return 1
}

# Runs a PostgreSQL program as the postgres user when we are root (PostgreSQL refuses root).
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- env -C / "$@"
    else
        "$@"
    fi
}

# Starts a throwaway cluster in a new directory listening on a Unix socket there, and sets
# PG_SCRATCH_DIR and DATABASE_URL. Stop it with stop_scratch_cluster.
start_scratch_cluster() {
    local bindir
    bindir=$(postgres_bindir)
    PG_SCRATCH_DIR=$(mktemp -d /tmp/chorus-pg.XXXXXX)
    [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PG_SCRATCH_DIR"
    as_postgres "$bindir/initdb" -D "$PG_SCRATCH_DIR/data" -U postgres --auth=trust --encoding=UTF8 --no-locale >/dev/null
    cat >>"$PG_SCRATCH_DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$PG_SCRATCH_DIR'
max_connections = 300
shared_buffers = 256MB
fsync = on
# Solid-state storage, and short queries that JIT compilation only slows (docs/decisions.md).
random_page_cost = 1.1
jit = off
# Statement counts, for the tests that count database round trips (WebPageTests).
shared_preload_libraries = 'pg_stat_statements'
# Every test database keeps its own entries: the default 5,000 evicts a test's counts while the
# whole suite runs in parallel (SurveyRoundTripTests then counts 0 reads).
pg_stat_statements.max = 20000
CONF
    as_postgres "$bindir/pg_ctl" start -D "$PG_SCRATCH_DIR/data" -w -t 60 -l "$PG_SCRATCH_DIR/server.log" >/dev/null
    export DATABASE_URL="postgresql:///postgres?host=$PG_SCRATCH_DIR&user=postgres"
    echo "==> Started PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') for tests at $PG_SCRATCH_DIR"
}

stop_scratch_cluster() {
    [ -n "${PG_SCRATCH_DIR:-}" ] || return 0
    as_postgres "$(postgres_bindir)/pg_ctl" stop -D "$PG_SCRATCH_DIR/data" -m immediate -w >/dev/null 2>&1 || true
    rm -rf "$PG_SCRATCH_DIR"
    PG_SCRATCH_DIR=""
}

# The embedded cluster's data directory for this checkout (unless DATABASE_URL or CHORUS_DATA_DIR
# is set): .chorus/postgres in the checkout, as an absolute path so every folder finds the same
# database. PostgreSQL runs as the postgres user, which cannot enter a checkout under /root (or
# any private directory): then the data lives under /var/lib/chorus, one directory per checkout.
resolve_data_dir() {
    [ -n "${DATABASE_URL:-}" ] && return 0
    [ -n "${CHORUS_DATA_DIR:-}" ] && return 0
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$root" 2>/dev/null; then
        export CHORUS_DATA_DIR="/var/lib/chorus/$(printf '%s' "$root" | sha256sum | cut -c1-12)/postgres"
    else
        export CHORUS_DATA_DIR="$root/.chorus/postgres"
    fi
}
