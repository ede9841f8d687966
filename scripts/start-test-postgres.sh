#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on loopback for the results-store test suite and prints the URL to export.
#
#   export RAPPORT_TEST_POSTGRES="$(scripts/start-test-postgres.sh)"
#   CARGO_TARGET_DIR=... cargo test --no-default-features --test it -- store:: qa::
#   scripts/start-test-postgres.sh --stop
#
# Needs Debian's server packages (`apt-get install -y postgresql`). Runs as the `postgres` user when
# started as root (initdb refuses root). Settings: RAPPORT_PG_PORT (55432), RAPPORT_PG_DIR
# (/tmp/rapport-test-postgres), PG_BIN (the newest /usr/lib/postgresql/*/bin).
set -euo pipefail

port="${RAPPORT_PG_PORT:-55432}"
dir="${RAPPORT_PG_DIR:-/tmp/rapport-test-postgres}"
bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}"
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "error: no PostgreSQL server under /usr/lib/postgresql/*/bin; install it with \`apt-get install -y postgresql\` or set PG_BIN" >&2
    exit 2
fi

run_as=()
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
    run_as=(runuser -u postgres --)
fi
as_server() { "${run_as[@]}" "$@"; }

if [ "${1:-}" = "--stop" ]; then
    as_server "$bin/pg_ctl" -D "$dir/data" -m fast stop >&2
    exit 0
fi

mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_server "$bin/initdb" -D "$dir/data" -U rapport --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
fi
if ! as_server "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c max_connections=200" \
        start >&2 || { cat "$dir/server.log" >&2; exit 1; }
fi
as_server "$bin/createdb" -h 127.0.0.1 -p "$port" -U rapport rapport_test 2>/dev/null || true
echo "postgres://rapport@127.0.0.1:$port/rapport_test"
