#!/usr/bin/env bash
# Start or stop a throw-away PostgreSQL 15 server without systemd (Debian's `postgresql` package), for search studies
# shared by several workers and for the tests.
#
#   tools/scripts/postgres.sh start [DATA_DIR]   # default /tmp/research-postgres; port 55432 on 127.0.0.1
#   tools/scripts/postgres.sh stop  [DATA_DIR]
#   tools/scripts/postgres.sh status [DATA_DIR]
#
# Connect with postgresql://postgres@127.0.0.1:55432/postgres (trust authentication: for a lab machine, not the
# internet). PGPORT overrides the port. Run as root (the server runs as user postgres) or as the postgres user.
set -euo pipefail

cmd=${1:-}
data=${2:-/tmp/research-postgres}
port=${PGPORT:-55432}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}

if [[ ! -x "$bin/pg_ctl" || ! -x "$bin/initdb" ]]; then
  echo "postgres.sh: no PostgreSQL binaries in $bin; install them with: apt-get install -y postgresql" >&2
  exit 1
fi

# Run a command as user postgres when we are root (initdb and postgres refuse to run as root).
as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

case "$cmd" in
  start)
    if [[ ! -f "$data/PG_VERSION" ]]; then
      mkdir -p "$data"
      [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$data"
      chmod 700 "$data"
      as_postgres "$bin/initdb" -D "$data" -U postgres --auth=trust >"$data.initdb.log" 2>&1 ||
        { cat "$data.initdb.log" >&2; exit 1; }
    fi
    if as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      echo "postgres.sh: already running ($data, port $port)"
      exit 0
    fi
    as_postgres "$bin/pg_ctl" -D "$data" -o "-p $port -k $data -c listen_addresses=127.0.0.1" -l "$data/log" -w start
    echo "postgres.sh: running at postgresql://postgres@127.0.0.1:$port/postgres (data $data)"
    ;;
  stop)
    as_postgres "$bin/pg_ctl" -D "$data" -m fast -w stop
    ;;
  status)
    as_postgres "$bin/pg_ctl" -D "$data" status
    ;;
  *)
    echo "usage: $0 start|stop|status [DATA_DIR]" >&2
    exit 2
    ;;
esac
