#!/usr/bin/env bash
# Starts/stops a throwaway PostgreSQL 15 cluster on 127.0.0.1 for the tests.
#   pgcluster.sh start ENV_DIR → writes ENV_DIR/pg.env (PGHOST, PGPORT, PGUSER, DREDGE_TEST_PG_*)
#   pgcluster.sh stop ENV_DIR
# initdb refuses root, so the cluster runs as the postgres user (trust auth on loopback).
set -euo pipefail
cmd=$1
envdir=$(mkdir -p "$2" && cd "$2" && pwd)
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
base="$envdir/pg"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case $cmd in
start)
  if [ -f "$base/data/postmaster.pid" ]; then as_pg "$PGBIN/pg_ctl" -D "$base/data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$base"; mkdir -p "$base/sock"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$base"
  # The cluster dir must be reachable by the postgres user.
  d="$base"; while [ "$d" != / ]; do [ "$(id -u)" = 0 ] && chmod o+x "$d" 2>/dev/null || true; d=$(dirname "$d"); done
  as_pg "$PGBIN/initdb" -D "$base/data" -U postgres --auth=trust --no-sync -E UTF8 --locale=C.UTF-8 >"$base/initdb.log" 2>&1
  port=""
  for _ in $(seq 1 50); do
    p=$((40000 + RANDOM % 20000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then port=$p; break; fi
  done
  as_pg "$PGBIN/pg_ctl" -D "$base/data" -l "$base/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $base/sock -c fsync=off -c max_connections=100" start >/dev/null
  cat >"$envdir/pg.env" <<EOT
PGHOST=127.0.0.1
PGPORT=$port
PGUSER=postgres
DREDGE_TEST_PG_BIN=$PGBIN
EOT
  echo "postgres listening on 127.0.0.1:$port"
  ;;
stop)
  if [ -d "$base/data" ]; then as_pg "$PGBIN/pg_ctl" -D "$base/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -f "$envdir/pg.env"
  ;;
*) echo "usage: $0 start|stop ENV_DIR" >&2; exit 2 ;;
esac
