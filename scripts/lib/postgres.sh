# Sourced by scripts/test.sh: finds a PostgreSQL server for the tests and exports
# TEST_POSTGRES_URL (a server URL without a database name; tests create a database each).
#
# In order: $TEST_DATABASE_URL if set; else the server on 127.0.0.1:5432 if one answers; else a
# throwaway cluster (initdb in a temporary folder, a free loopback port) when the PostgreSQL
# server binaries are installed. Under CI (CI=true) finding none is an error; elsewhere the
# PostgreSQL runs are skipped with a message saying so.

postgres_answers() {
  psql "$1/postgres" -qtAc 'SELECT 1' >/dev/null 2>&1
}

start_throwaway_postgres() {
  local bin initdb
  initdb=$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1)
  [ -n "$initdb" ] || command -v initdb >/dev/null || return 1
  initdb=${initdb:-$(command -v initdb)}
  bin=$(dirname "$initdb")
  local dir port run_as=()
  dir=$(mktemp -d /tmp/dioptra-accounts-pg.XXXXXX)
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # PostgreSQL refuses to run as root; use its own system user when there is one.
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || return 1
    chown postgres "$dir"
    run_as=(runuser -u postgres --)
  fi
  "${run_as[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
  "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off" start >/dev/null
  THROWAWAY_POSTGRES=("${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop)
  THROWAWAY_POSTGRES_DIR=$dir
  trap 'stop_throwaway_postgres' EXIT
  TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port"
  echo "started a throwaway PostgreSQL cluster in $dir on port $port" >&2
}

stop_throwaway_postgres() {
  [ -n "${THROWAWAY_POSTGRES+x}" ] && "${THROWAWAY_POSTGRES[@]}" >/dev/null 2>&1 || true
  [ -n "${THROWAWAY_POSTGRES_DIR:-}" ] && rm -rf "$THROWAWAY_POSTGRES_DIR" || true
}

find_postgres() {
  if [ -n "${TEST_DATABASE_URL:-}" ]; then
    # A URL may name a database; the tests need the server.
    TEST_POSTGRES_URL="${TEST_DATABASE_URL%/*}"
  elif postgres_answers "postgres://postgres@127.0.0.1:5432"; then
    TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:5432"
  elif ! start_throwaway_postgres; then
    if [ "${CI:-}" = "true" ]; then
      echo "error: no PostgreSQL for the tests: set TEST_DATABASE_URL, run one on 127.0.0.1:5432, or install the server binaries (apt-get install postgresql)" >&2
      return 1
    fi
    echo "warning: no PostgreSQL found; the PostgreSQL runs are skipped (set TEST_DATABASE_URL to run them)" >&2
    TEST_POSTGRES_URL=""
  fi
  postgres_answers "${TEST_POSTGRES_URL:-none}" || [ -z "$TEST_POSTGRES_URL" ] || {
    echo "error: PostgreSQL at $TEST_POSTGRES_URL does not answer" >&2
    return 1
  }
  export TEST_POSTGRES_URL
}
