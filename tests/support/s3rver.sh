#!/usr/bin/env bash
# Starts/stops the SigV4-checking test S3 server (@20minutes/s3rver) on 127.0.0.1.
#   s3rver.sh start ENV_DIR   → writes ENV_DIR/s3.env (DREDGE_TEST_S3_ENDPOINT, …) and s3rver.pid
#   s3rver.sh stop ENV_DIR
# Used as a ctest fixture (tests/CMakeLists.txt); also handy by hand.
set -euo pipefail
cmd=$1
envdir=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$envdir"

# shellcheck source=free_port.sh
source "$(dirname "$0")/free_port.sh"

case $cmd in
start)
  [ -f "$envdir/s3rver.pid" ] && kill "$(cat "$envdir/s3rver.pid")" 2>/dev/null || true
  if [ ! -d "$root/node_modules/@20minutes/s3rver" ]; then
    echo "s3rver.sh: node_modules/@20minutes/s3rver is missing: run scripts/install-deps.sh" >&2
    exit 1
  fi
  data="$envdir/s3data"
  rm -rf "$data"; mkdir -p "$data"
  cd "$root"
  # free_port's port may be taken by another server before s3rver binds it (tests start servers
  # in parallel); then s3rver exits and a bare connect would reach the other server. So the
  # port counts only once s3rver itself says it listens there, and a lost race tries another.
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    NODE_OPTIONS=--openssl-legacy-provider nohup node -e \
      "require('./node_modules/@20minutes/s3rver/lib/cli.js').parseAsync(['node','s3rver',...process.argv.slice(1)])" \
      -- -s -d "$data" -a 127.0.0.1 -p "$port" \
      --configure-bucket dredge-test --configure-bucket dredge-other \
      >"$envdir/s3rver.log" 2>&1 &
    pid=$!
    echo $pid >"$envdir/s3rver.pid"
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break  # exited: the port was taken, try another
      if grep -q "listening on 127.0.0.1:$port" "$envdir/s3rver.log" &&
        (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
        cat >"$envdir/s3.env" <<EOT
DREDGE_TEST_S3_ENDPOINT=http://127.0.0.1:$port
DREDGE_TEST_S3_BUCKET=dredge-test
DREDGE_TEST_S3_BUCKET2=dredge-other
DREDGE_TEST_S3_DATA=$data
EOT
        echo "s3rver listening on 127.0.0.1:$port"
        exit 0
      fi
      sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    echo "s3rver.sh: attempt $attempt on port $port failed: $(tail -2 "$envdir/s3rver.log")" >&2
  done
  echo "s3rver did not start; log:" >&2; cat "$envdir/s3rver.log" >&2; exit 1
  ;;
stop)
  if [ -f "$envdir/s3rver.pid" ]; then
    kill "$(cat "$envdir/s3rver.pid")" 2>/dev/null || true
    rm -f "$envdir/s3rver.pid" "$envdir/s3.env"
  fi
  ;;
*) echo "usage: $0 start|stop ENV_DIR" >&2; exit 2 ;;
esac
