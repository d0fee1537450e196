#!/usr/bin/env bash
# Starts/stops the fault-injecting proxy (tests/support/faultproxy.js) in front of the test S3
# server whose address ENV_DIR/s3.env holds (written by s3rver.sh).
#   faultproxy.sh start ENV_DIR [proxy flags]  → writes ENV_DIR/faultproxy.env:
#       DREDGE_TEST_FAULT_ENDPOINT=http://127.0.0.1:PORT
#       DREDGE_TEST_FAULT_STATS=ENV_DIR/faultproxy.stats.json   (counters, JSON)
#       DREDGE_TEST_FAULT_LOG=ENV_DIR/faultproxy.log            (one line per injected fault)
#       DREDGE_TEST_FAULT_PID=PID
#   faultproxy.sh stop ENV_DIR                 → SIGTERM (the proxy writes its stats), waits
# The proxy exits by itself when the process that ran `start` is gone (--parent-pid, i.e. the
# ctest run or the test binary) or after --max-seconds (default 1800 here): it cannot outlive a
# test run. Later flags win, so callers may pass their own --parent-pid or --max-seconds.
set -euo pipefail
cmd=${1:-}
envdir=${2:-}
[ -n "$cmd" ] && [ -n "$envdir" ] || { echo "usage: $0 start|stop ENV_DIR [proxy flags]" >&2; exit 2; }
shift 2
here=$(cd "$(dirname "$0")" && pwd)
pidfile="$envdir/faultproxy.pid"

# A zombie (dead, not yet reaped by a lazy init) counts as stopped.
alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "${state#Z}" = "$state" ]
}

stop_proxy() {
  [ -f "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$pidfile" "$envdir/faultproxy.env"
}

case $cmd in
start)
  stop_proxy
  if [ ! -f "$envdir/s3.env" ]; then
    echo "faultproxy.sh: $envdir/s3.env is missing: start tests/support/s3rver.sh first" >&2
    exit 1
  fi
  upstream=$(sed -n 's/^DREDGE_TEST_S3_ENDPOINT=//p' "$envdir/s3.env")
  portfile="$envdir/faultproxy.port"
  stats="$envdir/faultproxy.stats.json"
  log="$envdir/faultproxy.log"
  rm -f "$portfile" "$stats" "$log"
  nohup node "$here/faultproxy.js" --upstream "$upstream" --port 0 --port-file "$portfile" \
    --stats-file "$stats" --log-file "$log" --parent-pid "$PPID" --max-seconds 1800 "$@" \
    </dev/null >"$envdir/faultproxy.out" 2>&1 &
  pid=$!
  echo "$pid" >"$pidfile"
  for _ in $(seq 1 100); do
    if [ -s "$portfile" ]; then
      port=$(cat "$portfile")
      cat >"$envdir/faultproxy.env" <<EOT
DREDGE_TEST_FAULT_ENDPOINT=http://127.0.0.1:$port
DREDGE_TEST_FAULT_STATS=$stats
DREDGE_TEST_FAULT_LOG=$log
DREDGE_TEST_FAULT_PID=$pid
EOT
      echo "faultproxy listening on 127.0.0.1:$port (pid $pid), upstream $upstream"
      exit 0
    fi
    alive "$pid" || break
    sleep 0.1
  done
  echo "faultproxy did not start; its output:" >&2
  cat "$envdir/faultproxy.out" >&2
  rm -f "$pidfile"
  kill "$pid" 2>/dev/null || true
  exit 1
  ;;
stop)
  stop_proxy
  ;;
*) echo "usage: $0 start|stop ENV_DIR [proxy flags]" >&2; exit 2 ;;
esac
