#!/usr/bin/env bash
# Starts/stops moto's S3 server (the preinstalled Python package `moto`, command moto_server) on
# 127.0.0.1: the second, independent S3 implementation the tests run against.
#   moto.sh start ENV_DIR   → writes ENV_DIR/moto.env and moto.pid
#   moto.sh stop ENV_DIR
# moto accepts any key and secret (it never checks SigV4: signing is proved on s3rver) and keeps
# everything in memory. Three buckets are created (unsigned PUTs, which moto accepts):
#   dredge-moto            plain
#   dredge-moto-versioned  versioning enabled
#   dredge-moto-lock       created with Object Lock enabled (which implies versioning)
# moto.env: DREDGE_TEST_MOTO_ENDPOINT, DREDGE_TEST_MOTO_BUCKET, DREDGE_TEST_MOTO_BUCKET_VERSIONED,
#           DREDGE_TEST_MOTO_BUCKET_LOCK, DREDGE_TEST_MOTO_PID
set -euo pipefail
cmd=$1
envdir=$(mkdir -p "$2" && cd "$2" && pwd)

# shellcheck source=free_port.sh
source "$(dirname "$0")/free_port.sh"

put() {  # put URL [curl args…]: an unsigned PUT that must answer 200
  local url=$1; shift
  local code
  code=$(curl -s -o "$envdir/moto.put.out" -w '%{http_code}' -X PUT "$@" "$url")
  if [ "$code" != 200 ]; then
    echo "moto.sh: PUT $url answered $code:" >&2; cat "$envdir/moto.put.out" >&2; exit 1
  fi
}

case $cmd in
start)
  [ -f "$envdir/moto.pid" ] && kill "$(cat "$envdir/moto.pid")" 2>/dev/null || true
  bin=$(command -v moto_server || true)
  if [ -z "$bin" ]; then
    echo "moto.sh: moto_server is not on PATH (it is part of this machine image's Python: pip package moto)" >&2
    exit 1
  fi
  # As in s3rver.sh: the port counts only once our moto_server says it runs there and answers
  # (another server may take free_port's port first); a lost race tries another port.
  up=0
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    nohup "$bin" -H 127.0.0.1 -p "$port" >"$envdir/moto.log" 2>&1 &
    pid=$!
    echo $pid >"$envdir/moto.pid"
    ep=http://127.0.0.1:$port
    for _ in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || break  # exited: the port was taken
      if grep -q "Running on $ep" "$envdir/moto.log" && curl -s -o /dev/null "$ep/" 2>/dev/null &&
        kill -0 "$pid" 2>/dev/null; then
        up=1
        break
      fi
      sleep 0.1
    done
    [ $up = 1 ] && break
    kill "$pid" 2>/dev/null || true
    echo "moto.sh: attempt $attempt on port $port failed: $(tail -2 "$envdir/moto.log")" >&2
  done
  if [ $up != 1 ]; then echo "moto.sh: moto_server did not start; log:" >&2; cat "$envdir/moto.log" >&2; exit 1; fi
  put "$ep/dredge-moto"
  put "$ep/dredge-moto-versioned"
  put "$ep/dredge-moto-versioned?versioning" -H 'Content-Type: application/xml' --data-binary \
    '<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>'
  put "$ep/dredge-moto-lock" -H 'x-amz-bucket-object-lock-enabled: true'
  cat >"$envdir/moto.env" <<EOT
DREDGE_TEST_MOTO_ENDPOINT=$ep
DREDGE_TEST_MOTO_BUCKET=dredge-moto
DREDGE_TEST_MOTO_BUCKET_VERSIONED=dredge-moto-versioned
DREDGE_TEST_MOTO_BUCKET_LOCK=dredge-moto-lock
DREDGE_TEST_MOTO_PID=$(cat "$envdir/moto.pid")
EOT
  echo "moto_server listening on 127.0.0.1:$port"
  ;;
stop)
  if [ -f "$envdir/moto.pid" ]; then
    kill "$(cat "$envdir/moto.pid")" 2>/dev/null || true
    rm -f "$envdir/moto.pid" "$envdir/moto.env"
  fi
  ;;
*) echo "usage: $0 start|stop ENV_DIR" >&2; exit 2 ;;
esac
