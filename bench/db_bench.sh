#!/usr/bin/env bash
# Database-tier benchmark (issue 4, Performance): a throwaway PostgreSQL cluster with N
# article-like rows (default 134,000), then wall time, CPU time (user+sys), rows/s and peak RSS
# of dredge's full backup (file:// and the S3 test server), an incremental run after 1 % new +
# 1 % updated rows, a restore into an empty database, and against them psql \copy, pg_dump -Fc
# and pg_restore of the same table. Every measurement is repeated REPS times (default 3); the
# median wall time is reported with that run's CPU and RSS.
#
#   bench/db_bench.sh [ROWS] [REPS]   (env: DREDGE=binary, WORK=dir to keep data, MAX_CONTENT)
#
# Rows are made inside PostgreSQL (INSERT … SELECT FROM generate_series, slices of 4 MB of
# gen_data.py's OCR-like text: the shape of `gen_data.py articles N --max-content 1800`),
# so 13.4M rows load in minutes, not hours. Above 2M rows the S3 server run is left out and
# the dump and restored databases are removed as soon as they are measured (disk: ~17 GB per
# copy of the table at 13.4M rows, and the pg_restore step holds three: ~50 GB free needed);
# set S3=1 to force it.
#
# Results go to stdout as a Markdown table (and $WORK/results.md). Nothing outside WORK and
# 127.0.0.1 is touched; the cluster and the S3 server are stopped on exit.
set -euo pipefail
ROWS=${1:-134000}
REPS=${2:-3}
# Content 200 B–1.8 KB: ~140 MB for 134,000 rows, the size the issue's reference figures
# (\copy 0.7–1.1 s, pg_dump 7.1 s, pg_restore 3.8 s for 139 MB) were measured on.
MAX_CONTENT=${MAX_CONTENT:-1800}
S3=${S3:-$([ "$ROWS" -le 2000000 ] && echo 1 || echo 0)}
# pg_dump's compression (zlib, one core) costs ~60 µs per row here: above 200,000 rows the dump
# is written uncompressed (-Z0) unless DUMP_Z says otherwise. pg_restore of an uncompressed dump
# only gets faster, so the restore comparison stays fair to pg_restore.
DUMP_Z=${DUMP_Z:-$([ "$ROWS" -le 200000 ] && echo 6 || echo 0)}
root=$(cd "$(dirname "$0")/.." && pwd)
DREDGE=${DREDGE:-$root/build/dredge}
WORK=${WORK:-$(mktemp -d /tmp/dredge-dbbench.XXXXXX)}
mkdir -p "$WORK"
[ -x "$DREDGE" ] || { echo "build dredge first (ninja -C build): $DREDGE is missing" >&2; exit 1; }
[ -x /usr/bin/time ] || apt-get install -y time >/dev/null

cleanup() {
  "$root/tests/support/s3rver.sh" stop "$WORK/env" >/dev/null 2>&1 || true
  "$root/tests/support/pgcluster.sh" stop "$WORK/env" >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$root/tests/support/pgcluster.sh" start "$WORK/env" >/dev/null
"$root/tests/support/s3rver.sh" start "$WORK/env" >/dev/null
set -a
. "$WORK/env/pg.env"
. "$WORK/env/s3.env"
set +a
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1
PSQL="psql -qX -v ON_ERROR_STOP=1"

# ---- data --------------------------------------------------------------------------------------
$PSQL -d postgres -c "CREATE DATABASE bench" -c "CREATE DATABASE scratch"
$PSQL -d bench <<'SQL'
CREATE TABLE articles (
  id SERIAL PRIMARY KEY, title TEXT NOT NULL, content TEXT NOT NULL, publication TEXT NOT NULL,
  source_url TEXT NOT NULL, timestamp TIMESTAMP NOT NULL, quality_score FLOAT,
  newsworthiness_score FLOAT, unusualness_score FLOAT);
SQL
# 1,000 pieces of 4,000 characters of OCR-like text, stored PLAIN (neither compressed nor out
# of line: slicing a TOASTed 4 MB value would decompress all of it for every row); every row
# takes a 200 B-MAX_CONTENT slice of one piece.
python3 - "$root/scripts" >"$WORK/pool.copy" <<'PY'
import random, sys
sys.path.insert(0, sys.argv[1])
from gen_data import ocr_text
t = ocr_text(random.Random(1920), 4000 * 1000)
for i in range(1000):
    p = t[i * 4000:(i + 1) * 4000]
    print(f"{i}\t" + p.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"))
PY
$PSQL -d bench -c "CREATE TABLE textpool (i int PRIMARY KEY, piece text)" \
  -c "ALTER TABLE textpool ALTER piece SET STORAGE PLAIN" \
  -c "\copy textpool FROM '$WORK/pool.copy'"
# gen_rows FIRST LAST: article-like rows with ids FIRST..LAST (NULL and NaN scores included).
gen_rows() {
  $PSQL -d bench -v first="$1" -v last="$2" -v maxc="$MAX_CONTENT" <<'SQL'
INSERT INTO articles
SELECT g, initcap(substr(p.piece, 1 + (random() * 3000)::int, 40 + (random() * 40)::int)),
  'article ' || g || E'\n' || substr(p.piece, 1 + (random() * (3990 - :maxc))::int,
                                     200 + (random() * (:maxc - 200))::int),
  (ARRAY['atlanta-constitution', 'chicago-defender', 'new-york-tribune', 'boston-globe',
         'san-francisco-call', 'washington-times', 'st-louis-post-dispatch'])[1 + g % 7],
  'archive.org/per_' || (ARRAY['atlanta-constitution', 'chicago-defender', 'new-york-tribune',
    'boston-globe', 'san-francisco-call', 'washington-times', 'st-louis-post-dispatch'])[1 + g % 7]
    || '_' || to_char(DATE '1920-01-01' + (g / 7)::int, 'YYYY-MM-DD') || '_' || (40 + g / 2555)
    || '_' || g % 300,
  TIMESTAMP '2025-05-27' + g * INTERVAL '3 s' + random() * INTERVAL '1 s',
  CASE WHEN random() < 0.02 THEN NULL ELSE round((random() * 10)::numeric, 6) END,
  round((random() * 10)::numeric, 6),
  CASE WHEN random() < 0.001 THEN 'NaN' ELSE round((random() * 10)::numeric, 6) END
FROM generate_series(:first::bigint, :last::bigint) g JOIN textpool p ON p.i = g * 7919 % 1000;
SQL
}
for ((first = 1; first <= ROWS; first += 1000000)); do
  gen_rows "$first" $((first + 999999 < ROWS ? first + 999999 : ROWS))
done
$PSQL -d bench -c "SELECT setval('articles_id_seq', $ROWS)" -c "VACUUM ANALYZE articles" >/dev/null
BYTES=$(psql -qAtX -d bench -c "SELECT pg_total_relation_size('articles')")
CONN="dbname=bench"

# ---- measuring ---------------------------------------------------------------------------------
RESULTS="$WORK/results.md"
{
  echo "| what | rows | wall s (median of $REPS) | CPU s (user+sys) | rows/s | peak RSS MB | load 1 min |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
} >"$RESULTS"

# measure NAME ROWS PREP_FN -- CMD...: PREP_FN runs untimed before every repetition, then
# `sync`: the cluster runs with fsync=off, so a load or restore leaves hundreds of MB dirty
# that the kernel writes back later; without the sync the next measurement (a file:// backup
# whose fsyncs queue behind that write-back) pays for the previous one (1.0-1.5 s here).
measure() {
  local name=$1 rows=$2 prep=$3
  shift 4
  local walls=() line load
  load=$(cut -d' ' -f1 /proc/loadavg)
  for i in $(seq 1 "$REPS"); do
    $prep
    sync
    /usr/bin/time -f "%e %U %S %M" -o "$WORK/time.$i" "$@" >"$WORK/out.$i" 2>"$WORK/err.$i" || {
      echo "FAILED: $name" >&2; cat "$WORK/err.$i" >&2; exit 1; }
    walls+=("$(cut -d' ' -f1 "$WORK/time.$i") $i")
  done
  local med
  med=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n "$(((REPS + 1) / 2))p" | cut -d' ' -f2)
  read -r wall user sys rss <"$WORK/time.$med"
  line=$(awk -v n="$name" -v r="$rows" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss" -v l="$load" \
    'BEGIN { printf "| %s | %d | %.2f | %.2f | %s | %.0f | %s |", n, r, w, u + s,
             (r > 0 && w > 0) ? sprintf("%.0f", r / w) : "-", m / 1024, l }')
  echo "$line" | tee -a "$RESULTS"
}

none() { :; }
fresh_file() { rm -rf "$WORK/dest"; }
S3N=0
fresh_s3() { # a new prefix each time, so every run is a full one
  S3N=$((S3N + 1))
  printf 'exec %q backup db --db %q --table articles --dest %q --endpoint-url %q --path-style --json\n' \
    "$DREDGE" "$CONN" "s3://dredge-test/run$S3N/" "$DREDGE_TEST_S3_ENDPOINT" >"$WORK/s3run.sh"
}
drop_scratch() {
  $PSQL -d postgres -c "DROP DATABASE IF EXISTS scratch" -c "CREATE DATABASE scratch"
}

echo "rows: $ROWS, table size: $((BYTES / 1048576)) MB, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
measure 'psql \copy to /dev/null' "$ROWS" none -- \
  psql -qX -d bench -c "\copy (select * from articles) to /dev/null"
measure "pg_dump -Fc -Z$DUMP_Z -t articles" "$ROWS" none -- \
  pg_dump -Fc -Z"$DUMP_Z" -t articles -f "$WORK/articles.dump" bench
measure 'pg_restore into empty db' "$ROWS" drop_scratch -- \
  pg_restore -d scratch "$WORK/articles.dump"
if [ "$S3" != 1 ]; then rm -f "$WORK/articles.dump"; drop_scratch; fi
measure 'dredge backup db full → file://' "$ROWS" fresh_file -- \
  "$DREDGE" backup db --db "$CONN" --table articles --dest "file://$WORK/dest" --json
[ "$S3" != 1 ] || measure 'dredge backup db full → s3rver' "$ROWS" fresh_s3 -- bash "$WORK/s3run.sh"
measure 'dredge restore db into empty db' "$ROWS" drop_scratch -- \
  "$DREDGE" restore db --dest "file://$WORK/dest" --db dbname=scratch --json
[ "$S3" = 1 ] || drop_scratch

# Incremental: 1 % new rows and 1 % updated rows since the last full backup to file://.
CHANGED=$((ROWS / 100))
inc_prep() {
  fresh_file
  $PSQL -d bench -c "DELETE FROM articles WHERE id > $ROWS"
  "$DREDGE" backup db --db "$CONN" --table articles --dest "file://$WORK/dest" >/dev/null
  $PSQL -d bench -c "UPDATE articles SET quality_score = quality_score + 1 WHERE id % 100 = 7"
  gen_rows $((ROWS + 1)) $((ROWS + CHANGED))
}
measure 'dredge backup db incremental (1 % new + 1 % updated)' $((2 * CHANGED)) inc_prep -- \
  "$DREDGE" backup db --db "$CONN" --table articles --dest "file://$WORK/dest" --json
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); results in $RESULTS"
