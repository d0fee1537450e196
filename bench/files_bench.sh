#!/usr/bin/env bash
# Files-tier benchmark (issues 3 and 17): dredge vs rclone vs aws-cli against one local S3
# server, dredge vs cp -r + sync on file://, the unchanged rerun over 15,000 small files, and
# peak RSS at 10,000 and 100,000 small files; issue 17's gates: 3,000 archive-sized files
# (545-660 KB) and 150,000 small files (1-4 KB) to file:// beside cp -r + sync. Prints a
# markdown table per section (medians of REPEAT runs), "RATIO ..." lines for the gates, and
# writes every raw run to $WORK/raw.tsv.
#
#   bench/files_bench.sh [--work DIR] [--repeat N] [--dredge PATH] [--server 20minutes|s3rver3]
#                        [--only s3|rerun|file|memory|archive|small150k|seed|growth]
# Issue 17's scale runs (not in the default set: ~9 GB and up to 1.5M files):
#   --only seed     SEED_FILES (14,730) archive-sized files: the machine's floor (read, MD5 and
#                   SHA-256 of the corpus on one core), then per client first backup, unchanged
#                   rerun, rerun after 300 new + 30 changed files; dredge also restore and
#                   verify --deep; to file:// (beside cp -r + sync) and the S3 server (beside
#                   rclone copy --transfers 32 and aws s3 sync)
#   --only growth   GROWTH_COUNTS ("15000 150000 1500000") small files in folders of 1,000:
#                   first backup, unchanged rerun, restore, peak RSS
#
# Each client gets a fresh bucket prefix. CPU time is the client process's own user+sys
# (/usr/bin/time), never the server's. The machine's load average is printed with every run:
# other jobs on a shared machine change wall times, not CPU times, so dredge and its peer run
# interleaved (alternating which goes first) and the gates are ratios of their medians. dredge
# runs with --no-nice, like the un-niced cp beside it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
WORK=/tmp/dredge-files-bench
REPEAT=3
DREDGE=$root/build/dredge
SERVER=20minutes
ONLY=""
while [ $# -gt 0 ]; do
  case $1 in
    --work) WORK=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    --dredge) DREDGE=$2; shift 2 ;;
    --server) SERVER=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
mkdir -p "$WORK"
RAW=$WORK/raw.tsv
: >"$RAW"

# --- tools -------------------------------------------------------------------------------
peer_tools() {  # the S3 section's peers (the file:// sections need only cp and sync)
  if ! command -v rclone >/dev/null; then
    echo "installing rclone (apt-get)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q rclone >/dev/null
  fi
  [ -x /usr/bin/aws ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -q awscli >/dev/null
}
[ -x "$DREDGE" ] || { echo "no dredge binary at $DREDGE: build first (scripts/build.sh)" >&2; exit 1; }

# --- data --------------------------------------------------------------------------------
gen() {  # gen DIR COUNT MIN_KB MAX_KB
  if [ ! -f "$1/.complete" ]; then
    rm -rf "$1"
    python3 "$root/scripts/gen_data.py" corpus "$1" "$2" "$3" "$4"
    touch "$1/.complete"
  fi
}
# Nested variant: COUNT files spread over directories of 1,000 (a flat directory of 100,000
# names is the walker's worst case: it sorts one directory's names in memory).
gen_nested() {  # gen_nested FLATDIR NESTEDDIR (hard links, no copy)
  if [ ! -f "$2/.complete" ]; then
    rm -rf "$2"
    python3 - "$1" "$2" <<'PY'
import os, sys
src, dst = sys.argv[1], sys.argv[2]
names = sorted(n for n in os.listdir(src) if n != ".complete")
for i, n in enumerate(names):
    d = os.path.join(dst, "%03d" % (i // 1000))
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    os.link(os.path.join(src, n), os.path.join(d, n))
PY
    touch "$2/.complete"
  fi
}

load() { cut -d' ' -f1 /proc/loadavg; }

# run LABEL CMD...: runs CMD under /usr/bin/time; appends "label wall cpu rss_mb load" to RAW.
run() {
  local label=$1; shift
  local l0 tf; l0=$(load); tf=$(mktemp)
  if ! /usr/bin/time -f "%e %U %S %M" -o "$tf" "$@" >"$WORK/last.out" 2>"$WORK/last.err"; then
    echo "FAILED: $label: $*" >&2; tail -5 "$WORK/last.err" >&2; rm -f "$tf"; return 1
  fi
  read -r wall user sys rss <"$tf"; rm -f "$tf"
  local cpu; cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$wall" "$cpu" "$((rss / 1024))" "$l0/$(load)" >>"$RAW"
  printf '%-34s wall %6.2f s  cpu %6.2f s  rss %4d MB  load %s\n' "$label" "$wall" "$cpu" \
    "$((rss / 1024))" "$l0/$(load)" >&2
}

median() {  # median LABEL COLUMN (2 wall, 3 cpu, 4 rss)
  awk -F'\t' -v l="$1" -v c="$2" '$1 == l { print $c }' "$RAW" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
                            else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
row() {  # row LABEL DISPLAY
  printf '| %s | %s | %s | %s |\n' "$2" "$(median "$1" 2)" "$(median "$1" 3)" "$(median "$1" 4)"
}
# ratio_line NAME NUM_LABEL DEN_LABEL TARGET: median wall of NUM / median wall of DEN.
ratio_line() {
  local n d loads
  n=$(median "$2" 2); d=$(median "$3" 2)
  loads=$(awk -F'\t' -v a="$2" -v b="$3" '$1 == a || $1 == b { printf "%s ", $5 }' "$RAW")
  awk -v n="$n" -v d="$d" -v t="$4" -v name="$1" -v l="$loads" 'BEGIN {
    r = n / d; printf "RATIO %s: %.2fx (%s s / %s s), target <= %s: %s; load %s\n", name, r, n, d,
      t, (r <= t ? "met" : "MISSED"), l }'
}
# limit_line NAME LABEL COLUMN LIMIT UNIT: the median of one measurement against a limit.
limit_line() {
  local v; v=$(median "$2" "$3")
  awk -v v="$v" -v t="$4" -v name="$1" -v u="$5" 'BEGIN {
    printf "RATIO %s: %s %s, target <= %s %s: %s\n", name, v, u, t, u, (v <= t ? "met" : "MISSED") }'
}
header() {
  printf '\n### %s\n\n| client | wall s | client CPU s (user+sys) | peak RSS MB |\n|---|---|---|---|\n' "$1"
}

# --- S3 server ---------------------------------------------------------------------------
S3ENV=$WORK/s3env
start_server() {
  if [ "$SERVER" = s3rver3 ]; then
    echo "s3rver 3.7.1 is not installed by this project; use --server 20minutes" >&2; exit 2
  fi
  "$root/tests/support/s3rver.sh" start "$S3ENV" >&2
  # shellcheck disable=SC1091
  . "$S3ENV/s3.env"
  ENDPOINT=$DREDGE_TEST_S3_ENDPOINT
  BUCKET=$DREDGE_TEST_S3_BUCKET
}
stop_server() { "$root/tests/support/s3rver.sh" stop "$S3ENV" >&2 || true; }
# Objects of finished runs are deleted from the server's data directory between runs so the
# disk does not fill up (3,000 files are ~0.7 GB per copy).
wipe_prefix() { rm -rf "${DREDGE_TEST_S3_DATA:?}/$BUCKET/$1"; }

export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
# rclone configured without a file; it refuses to start while AWS_CA_BUNDLE is set.
rclone_cmd() {
  RCLONE=(env -u AWS_CA_BUNDLE RCLONE_CONFIG=/dev/null RCLONE_CONFIG_S3T_TYPE=s3
    RCLONE_CONFIG_S3T_PROVIDER=Other RCLONE_CONFIG_S3T_ENV_AUTH=false
    RCLONE_CONFIG_S3T_ACCESS_KEY_ID=S3RVER RCLONE_CONFIG_S3T_SECRET_ACCESS_KEY=S3RVER
    RCLONE_CONFIG_S3T_ENDPOINT="$ENDPOINT" RCLONE_CONFIG_S3T_REGION=us-east-1
    RCLONE_CONFIG_S3T_FORCE_PATH_STYLE=true rclone)
}

s3_section() {
  peer_tools
  local corpus=$WORK/corpus3000
  gen "$corpus" 3000 50 400
  start_server
  trap stop_server EXIT
  rclone_cmd
  for i in $(seq 1 "$REPEAT"); do
    local p="dredge-$i-$RANDOM"
    run "dredge first" "$DREDGE" -q --log-dir "$WORK/logs" backup files --source "$corpus" \
      --exclude .complete --dest "s3://$BUCKET/$p" --endpoint-url "$ENDPOINT" \
      --state "$WORK/state-$p.sqlite"
    run "dredge rerun" "$DREDGE" -q --log-dir "$WORK/logs" backup files --source "$corpus" \
      --exclude .complete --dest "s3://$BUCKET/$p" --endpoint-url "$ENDPOINT" \
      --state "$WORK/state-$p.sqlite"
    wipe_prefix "$p"; rm -f "$WORK/state-$p.sqlite"*
    p="rclone-$i-$RANDOM"
    run "rclone first" "${RCLONE[@]}" copy "$corpus" "s3t:$BUCKET/$p" --exclude .complete \
      --transfers 32
    run "rclone rerun" "${RCLONE[@]}" copy "$corpus" "s3t:$BUCKET/$p" --exclude .complete \
      --transfers 32
    wipe_prefix "$p"
    p="aws-$i-$RANDOM"
    run "aws first" /usr/bin/aws --endpoint-url "$ENDPOINT" s3 sync --only-show-errors \
      --exclude .complete "$corpus" "s3://$BUCKET/$p"
    run "aws rerun" /usr/bin/aws --endpoint-url "$ENDPOINT" s3 sync --only-show-errors \
      --exclude .complete "$corpus" "s3://$BUCKET/$p"
    wipe_prefix "$p"
  done
  header "3,000 files (50-400 KB), S3 server (@20minutes/s3rver), first run"
  row "dredge first" "dredge backup files"; row "rclone first" "rclone copy --transfers 32"
  row "aws first" "aws s3 sync"
  header "same, unchanged rerun"
  row "dredge rerun" "dredge backup files"; row "rclone rerun" "rclone copy --transfers 32"
  row "aws rerun" "aws s3 sync"
  stop_server; trap - EXIT
}

rerun_section() {
  local corpus=$WORK/small15000
  gen "$corpus" 15000 1 4
  start_server
  trap stop_server EXIT
  local p="rerun-$RANDOM"
  "$DREDGE" -q --log-dir "$WORK/logs" backup files --source "$corpus" --exclude .complete \
    --dest "s3://$BUCKET/$p" --endpoint-url "$ENDPOINT" --state "$WORK/state-$p.sqlite"
  rm -rf "$WORK/store15000" "$WORK/state-file15000.sqlite"*
  "$DREDGE" -q --log-dir "$WORK/logs" backup files --source "$corpus" --exclude .complete \
    --dest "file://$WORK/store15000" --state "$WORK/state-file15000.sqlite"
  for i in $(seq 1 "$((REPEAT + 2))"); do
    run "rerun15k s3" "$DREDGE" -q --log-dir "$WORK/logs" backup files --source "$corpus" \
      --exclude .complete --dest "s3://$BUCKET/$p" --endpoint-url "$ENDPOINT" \
      --state "$WORK/state-$p.sqlite"
    run "rerun15k file" "$DREDGE" -q --log-dir "$WORK/logs" backup files --source "$corpus" \
      --exclude .complete --dest "file://$WORK/store15000" --state "$WORK/state-file15000.sqlite"
  done
  header "unchanged rerun over 15,000 small files (1-4 KB), target <= 0.5 s"
  row "rerun15k s3" "dredge backup files (S3 server)"
  row "rerun15k file" "dredge backup files (file://)"
  wipe_prefix "$p"; rm -rf "$WORK/store15000" "$WORK/state-"*
  stop_server; trap - EXIT
}

file_section() {
  local corpus=$WORK/corpus3000
  gen "$corpus" 3000 50 400
  for i in $(seq 1 "$REPEAT"); do
    rm -rf "$WORK/cp-dst" "$WORK/file-dst" "$WORK/state-file.sqlite"*
    sync
    run "cp -r + sync" sh -c "cp -r '$corpus' '$WORK/cp-dst' && sync"
    sync
    run "dredge file://" "$DREDGE" -q --log-dir "$WORK/logs" backup files --source "$corpus" \
      --exclude .complete --dest "file://$WORK/file-dst" --state "$WORK/state-file.sqlite"
  done
  rm -rf "$WORK/cp-dst" "$WORK/file-dst" "$WORK/state-file.sqlite"*
  header "3,000 files (50-400 KB) to a local directory, target <= 1.5x cp -r + sync"
  row "cp -r + sync" "cp -r + sync"; row "dredge file://" "dredge backup files --dest file://"
}

memory_section() {
  gen "$WORK/small10k" 10000 1 2
  gen "$WORK/small100k" 100000 1 2
  gen_nested "$WORK/small100k" "$WORK/nested100k"
  for c in small10k small100k nested100k; do
    rm -rf "$WORK/mem-$c" "$WORK/state-mem-$c.sqlite"*
    run "memory $c" "$DREDGE" -q --log-dir "$WORK/logs" backup files --source "$WORK/$c" \
      --exclude .complete --dest "file://$WORK/mem-$c" --state "$WORK/state-mem-$c.sqlite"
    rm -rf "$WORK/mem-$c" "$WORK/state-mem-$c.sqlite"*
  done
  header "first backup of small files (1-2 KB) to file://: peak RSS, target <= 64 MB at 100,000"
  row "memory small10k" "10,000 files, one directory"
  row "memory small100k" "100,000 files, one directory"
  row "memory nested100k" "100,000 files, 100 directories of 1,000"
}

# pair_file_backup TAG CORPUS I: cp -r + sync and a first dredge backup of CORPUS to file://,
# in an order that alternates with I; each starts with nothing dirty and an empty target, and
# dredge's target is left for the reruns that follow.
pair_file_backup() {
  local tag=$1 corpus=$2 i=$3
  local cp_dst=$WORK/$tag-cp dst=$WORK/$tag-dst state=$WORK/state-$tag.sqlite
  local order="cp dredge"
  [ $((i % 2)) -eq 0 ] && order="dredge cp"
  for who in $order; do
    # Each empties only its own target: the reruns after the pair run against dredge's.
    if [ "$who" = cp ]; then
      rm -rf "$cp_dst"
      sync
      run "$tag cp" sh -c "cp -r '$corpus' '$cp_dst' && sync"
    else
      rm -rf "$dst" "$state"*
      sync
      run "$tag dredge" "$DREDGE" -q --log-dir "$WORK/logs" backup files --no-nice \
        --source "$corpus" --exclude .complete --dest "file://$dst" --state "$state"
    fi
  done
  rm -rf "$cp_dst"
}

# Issue 17 gate: 3,000 files sized like the archive's (545-660 KB, ~1.8 GB), <= 1.5x cp.
archive_section() {
  local corpus=$WORK/arch3000
  gen "$corpus" 3000 545 660
  for i in $(seq 1 "$REPEAT"); do pair_file_backup arch "$corpus" "$i"; done
  rm -rf "$WORK/arch-cp" "$WORK/arch-dst" "$WORK/state-arch.sqlite"*
  header "3,000 files (545-660 KB) to a local directory, target <= 1.5x cp -r + sync"
  row "arch cp" "cp -r + sync"; row "arch dredge" "dredge --no-nice backup files --dest file://"
  ratio_line "archive3000 dredge/cp" "arch dredge" "arch cp" 1.5
}

# Issue 17 gates at 150,000 small files (1-4 KB, one directory): first backup <= 2x cp,
# unchanged rerun <= 1.5 s, peak RSS <= 64 MB for backup and rerun.
small150k_section() {
  local corpus=$WORK/small150k
  gen "$corpus" 150000 1 4
  for i in $(seq 1 "$REPEAT"); do
    pair_file_backup s150k "$corpus" "$i"
    for _ in 1 2; do
      run "s150k rerun" "$DREDGE" -q --log-dir "$WORK/logs" backup files --no-nice \
        --source "$corpus" --exclude .complete --dest "file://$WORK/s150k-dst" \
        --state "$WORK/state-s150k.sqlite"
    done
  done
  rm -rf "$WORK/s150k-cp" "$WORK/s150k-dst" "$WORK/state-s150k.sqlite"*
  header "150,000 files (1-4 KB) to a local directory"
  row "s150k cp" "cp -r + sync"; row "s150k dredge" "dredge backup files (first)"
  row "s150k rerun" "dredge backup files (unchanged rerun)"
  ratio_line "small150k first dredge/cp" "s150k dredge" "s150k cp" 2
  limit_line "small150k rerun wall" "s150k rerun" 2 1.5 s
  limit_line "small150k first peak RSS" "s150k dredge" 4 64 MB
  limit_line "small150k rerun peak RSS" "s150k rerun" 4 64 MB
}

# --- Issue 17: seed scale ---------------------------------------------------------------------
SEED_FILES=${SEED_FILES:-14730}
# The machine's own limits on the corpus (page cache warm): read it, and hash it with MD5 and
# with SHA-256 on one core. Printed as MB/s with the corpus size.
floor_lines() {  # floor_lines CORPUS
  local corpus=$1 bytes
  bytes=$(du -sb --exclude .complete "$corpus" | cut -f1)
  find "$corpus" -type f ! -name .complete -print0 | xargs -0 cat >/dev/null  # warm the cache
  for tool in cat md5sum sha256sum; do
    run "floor $tool" sh -c "find '$corpus' -type f ! -name .complete -print0 | sort -z |
      xargs -0 cat | $tool >/dev/null"
    awk -v b="$bytes" -v w="$(median "floor $tool" 2)" -v t="$tool" \
      'BEGIN { printf "FLOOR %s of the corpus (%.0f MB) on one core: %.0f MB/s\n", t, b / 1e6, b / 1e6 / w }'
  done
}
# seed_change CORPUS: 300 new files (archive-sized, prefixed new-) and 30 changed ones (64 KB
# appended to every 491st file). seed_unchange undoes it (sizes back; mtimes stay new).
seed_change() {
  local corpus=$1 n=0
  rm -rf "$WORK/seed-new"
  python3 "$root/scripts/gen_data.py" corpus "$WORK/seed-new" 300 545 660
  for f in "$WORK/seed-new"/*; do mv "$f" "$corpus/new-${f##*/}"; done
  for f in $(find "$corpus" -maxdepth 1 -name 'per_*' | sort | awk 'NR % 491 == 1' | head -30); do
    head -c 49152 /dev/urandom | base64 -w 0 >>"$f"; n=$((n + 1))  # 65,536 bytes
  done
  echo "seed: 300 new files, $n changed" >&2
}
seed_unchange() {
  local corpus=$1
  rm -f "$corpus"/new-*
  for f in $(find "$corpus" -maxdepth 1 -name 'per_*' | sort | awk 'NR % 491 == 1' | head -30); do
    truncate -s -65536 "$f"
  done
}
# One client's round on one destination: first backup, unchanged rerun, rerun after the
# changes (undone after). CLIENT is a label; the rest is the command, its target last.
seed_round() {  # seed_round LABEL CORPUS CMD...
  local label=$1 corpus=$2; shift 2
  sync
  run "seed $label first" "$@"
  run "seed $label rerun" "$@"
  seed_change "$corpus"
  sync
  run "seed $label changed" "$@"
  seed_unchange "$corpus"
}
seed_section() {
  local corpus=$WORK/seed$SEED_FILES dst=$WORK/seed-dst state=$WORK/state-seed.sqlite
  gen "$corpus" "$SEED_FILES" 545 660
  floor_lines "$corpus"
  # file://: cp -r + sync, dredge backup, restore, verify --deep.
  rm -rf "$WORK/seed-cp"; sync
  run "seed cp first" sh -c "cp -r '$corpus' '$WORK/seed-cp' && sync"
  rm -rf "$WORK/seed-cp"
  rm -rf "$dst" "$state"*
  seed_round "dredge file" "$corpus" "$DREDGE" -q --log-dir "$WORK/logs" backup files --no-nice \
    --source "$corpus" --exclude .complete --dest "file://$dst" --state "$state"
  rm -rf "$WORK/seed-restored"; sync
  run "seed dredge file restore" "$DREDGE" -q --log-dir "$WORK/logs" restore files --no-nice \
    --dest "file://$dst" --target "$WORK/seed-restored"
  rm -rf "$WORK/seed-restored"
  run "seed dredge file verify-deep" "$DREDGE" -q --log-dir "$WORK/logs" verify files --no-nice \
    --deep --dest "file://$dst"
  rm -rf "$dst" "$state"*
  # The S3 test server: dredge, rclone, aws-cli, each into its own prefix.
  peer_tools; start_server; trap stop_server EXIT; rclone_cmd
  local p="seed-dredge-$RANDOM"
  seed_round "dredge s3" "$corpus" "$DREDGE" -q --log-dir "$WORK/logs" backup files --no-nice \
    --source "$corpus" --exclude .complete --dest "s3://$BUCKET/$p" --endpoint-url "$ENDPOINT" \
    --state "$WORK/state-$p.sqlite"
  rm -rf "$WORK/seed-restored"
  run "seed dredge s3 restore" "$DREDGE" -q --log-dir "$WORK/logs" restore files --no-nice \
    --dest "s3://$BUCKET/$p" --endpoint-url "$ENDPOINT" --target "$WORK/seed-restored"
  rm -rf "$WORK/seed-restored"
  run "seed dredge s3 verify-deep" "$DREDGE" -q --log-dir "$WORK/logs" verify files --no-nice \
    --deep --dest "s3://$BUCKET/$p" --endpoint-url "$ENDPOINT"
  wipe_prefix "$p"; rm -f "$WORK/state-$p.sqlite"*
  p="seed-rclone-$RANDOM"
  seed_round "rclone" "$corpus" "${RCLONE[@]}" copy "$corpus" "s3t:$BUCKET/$p" \
    --exclude .complete --transfers 32
  wipe_prefix "$p"
  p="seed-aws-$RANDOM"
  seed_round "aws" "$corpus" /usr/bin/aws --endpoint-url "$ENDPOINT" s3 sync --only-show-errors \
    --exclude .complete "$corpus" "s3://$BUCKET/$p"
  wipe_prefix "$p"
  stop_server; trap - EXIT
  header "seed scale: $SEED_FILES files of 545-660 KB"
  local l
  for l in "seed cp first" "seed dredge file first" "seed dredge file rerun" \
    "seed dredge file changed" "seed dredge file restore" "seed dredge file verify-deep" \
    "seed dredge s3 first" "seed dredge s3 rerun" "seed dredge s3 changed" \
    "seed dredge s3 restore" "seed dredge s3 verify-deep" "seed rclone first" \
    "seed rclone rerun" "seed rclone changed" "seed aws first" "seed aws rerun" \
    "seed aws changed"; do row "$l" "${l#seed }"; done
  ratio_line "seed file first dredge/cp" "seed dredge file first" "seed cp first" 1.5
}

# --- Issue 17: growth in file count -----------------------------------------------------------
GROWTH_COUNTS=${GROWTH_COUNTS:-"15000 150000 1500000"}
growth_section() {
  local n flat nested dst state
  for n in $GROWTH_COUNTS; do
    flat=$WORK/growth$n; nested=$WORK/growth$n-nested
    gen "$flat" "$n" 1 4
    gen_nested "$flat" "$nested"  # directories of 1,000, as an archive would be laid out
    dst=$WORK/growth-dst; state=$WORK/state-growth.sqlite
    rm -rf "$dst" "$state"* "$WORK/growth-restored"; sync
    run "growth $n first" "$DREDGE" -q --log-dir "$WORK/logs" backup files --no-nice \
      --source "$nested" --exclude .complete --dest "file://$dst" --state "$state"
    run "growth $n rerun" "$DREDGE" -q --log-dir "$WORK/logs" backup files --no-nice \
      --source "$nested" --exclude .complete --dest "file://$dst" --state "$state"
    run "growth $n restore" "$DREDGE" -q --log-dir "$WORK/logs" restore files --no-nice \
      --dest "file://$dst" --target "$WORK/growth-restored"
    rm -rf "$dst" "$state"* "$WORK/growth-restored" "$nested"
  done
  header "growth: small files (1-4 KB) in folders of 1,000, to file://"
  for n in $GROWTH_COUNTS; do
    row "growth $n first" "$n files, first backup"; row "growth $n rerun" "$n files, unchanged rerun"
    row "growth $n restore" "$n files, restore"
  done
}

echo "dredge $("$DREDGE" version 2>/dev/null | head -1); $(nproc) cores; load $(cat /proc/loadavg)" >&2
echo "commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)" >&2
case $ONLY in
  "") s3_section; rerun_section; file_section; memory_section; archive_section; small150k_section ;;
  s3) s3_section ;;
  rerun) rerun_section ;;
  file) file_section ;;
  memory) memory_section ;;
  archive) archive_section ;;
  small150k) small150k_section ;;
  seed) seed_section ;;
  growth) growth_section ;;
  *) echo "--only takes s3, rerun, file, memory, archive, small150k, seed or growth" >&2; exit 2 ;;
esac
