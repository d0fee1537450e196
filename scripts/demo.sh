#!/usr/bin/env bash
# The one-command demo: installs and builds, makes a sample StoryDredge archive (OCR files and
# an `articles` table in a throwaway PostgreSQL), writes a dredge.toml for it and backs both
# tiers up with the cron line (`dredge backup`) into the embedded default store
# file://./dredge-backups/, changes some files and rows, backs up again, shows status and what
# prune would remove, runs a restore drill, recovers the whole system (`dredge restore`) and the
# table as of the first run, and checks every restore matches.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

scripts/install-deps.sh
DREDGE_BUILD_TARGET=dredge scripts/build.sh >/dev/null  # the binary only, not the test suite
DREDGE="$ROOT/build/dredge"

start=$(date +%s)
WORK="$ROOT/demo-work"
DEST="file://$ROOT/dredge-backups"
rm -rf "$WORK" "$ROOT/dredge-backups"
mkdir -p "$WORK"
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

cleanup() { tests/support/pgcluster.sh stop "$WORK/env" >/dev/null 2>&1 || true; }
trap cleanup EXIT

say "Generating a sample archive: 2,000 OCR files and 20,000 articles"
python3 scripts/gen_data.py corpus "$WORK/cache" 2000 5 40
tests/support/pgcluster.sh start "$WORK/env" >/dev/null
set -a; . "$WORK/env/pg.env"; set +a
psql -qX -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE storydredge" >/dev/null
psql -qX -v ON_ERROR_STOP=1 -d storydredge >/dev/null <<'SQL'
CREATE TABLE articles (
  id SERIAL PRIMARY KEY, title TEXT NOT NULL, content TEXT NOT NULL, publication TEXT NOT NULL,
  source_url TEXT NOT NULL, timestamp TIMESTAMP NOT NULL, quality_score FLOAT,
  newsworthiness_score FLOAT, unusualness_score FLOAT);
SQL
python3 scripts/gen_data.py articles 20000 --max-content 4000 |
  psql -qX -v ON_ERROR_STOP=1 -d storydredge -c "\copy articles FROM STDIN"
psql -qX -d storydredge -c "SELECT setval('articles_id_seq', 20000)" >/dev/null
CONN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=storydredge"

# The operator's whole setup: one config file (dredge.example.toml documents every key). The
# files tier's state index goes under XDG_CACHE_HOME: the demo's own, so reruns start clean.
export XDG_CACHE_HOME="$WORK/cache-home" DREDGE_CONFIG="$WORK/dredge.toml"
cat >"$DREDGE_CONFIG" <<TOML
[files]
source = "$WORK/cache"
[[files.destination]]
url = "$DEST"
[db]
conninfo = "$CONN"
table = "articles"
[[db.destination]]
url = "$DEST"
[retention]
keep_last = 1
keep_daily = 7
[logging]
dir = "$WORK/logs"
TOML

say "First backup: 'dredge backup' runs every configured tier into $DEST"
"$DREDGE" backup
sleep 1  # manifests and snapshots are named by the second
first_run=$(date -u +%Y-%m-%dT%H:%M:%SZ)
psql -qXtA -d storydredge -c "COPY (SELECT * FROM articles ORDER BY id) TO STDOUT" >"$WORK/articles-first.copy"
sleep 1

say "Changing the archive: 20 files edited, 5 removed, 30 added; 200 rows inserted, 100 updated, 10 deleted"
for f in $(ls "$WORK/cache" | head -20); do echo "corrected OCR line" >>"$WORK/cache/$f"; done
for f in $(ls "$WORK/cache" | tail -5); do rm "$WORK/cache/$f"; done
python3 scripts/gen_data.py corpus "$WORK/new" 30 5 40 --seed 7 --start-year 1969 && mv "$WORK/new"/* "$WORK/cache/"
python3 scripts/gen_data.py articles 200 --start-id 20001 --max-content 4000 --seed 7 |
  psql -qX -v ON_ERROR_STOP=1 -d storydredge -c "\copy articles FROM STDIN"
psql -qX -v ON_ERROR_STOP=1 -d storydredge >/dev/null <<'SQL'
SELECT setval('articles_id_seq', 20200);
UPDATE articles SET quality_score = 9.5, title = title || ' (revised)' WHERE id % 200 = 0;
DELETE FROM articles WHERE id BETWEEN 500 AND 509;
SQL

say "Second backup: only what changed"
"$DREDGE" backup

say "Status (exit 6 would mean a backup older than --max-age)"
"$DREDGE" status --max-age 1h

say "What 'dredge prune' would remove under [retention] (a dry run; nothing is deleted)"
"$DREDGE" prune --dry-run 2>&1 | grep -v "^would delete [a-z]* "  # per-object lines left out

say "Restore drill: a random sample restored into scratch space and checked against the records and the source"
"$DREDGE" drill

say "Whole-system recovery: 'dredge restore' into a new directory and a new database"
psql -qX -d postgres -c "CREATE DATABASE restored" >/dev/null
psql -qX -d postgres -c "CREATE DATABASE restored_first" >/dev/null
"$DREDGE" restore --target "$WORK/restored-files" --db "host=$PGHOST port=$PGPORT user=$PGUSER dbname=restored"
diff -r "$WORK/cache" "$WORK/restored-files" && echo "files: restored tree is identical to the source"
psql -qXtA -d storydredge -c "COPY (SELECT * FROM articles ORDER BY id) TO STDOUT" >"$WORK/a.copy"
psql -qXtA -d restored -c "COPY (SELECT * FROM articles ORDER BY id) TO STDOUT" >"$WORK/b.copy"
cmp "$WORK/a.copy" "$WORK/b.copy" && echo "database: restored table is identical ($(wc -l <"$WORK/b.copy") rows)"
"$DREDGE" restore db --as-of "$first_run" \
  --db "host=$PGHOST port=$PGPORT user=$PGUSER dbname=restored_first"
psql -qXtA -d restored_first -c "COPY (SELECT * FROM articles ORDER BY id) TO STDOUT" >"$WORK/c.copy"
cmp "$WORK/articles-first.copy" "$WORK/c.copy" && echo "database as of $first_run: identical to the first run's table ($(wc -l <"$WORK/c.copy") rows)"

say "Demo passed in $(( $(date +%s) - start )) s"
echo "Backups are in $ROOT/dredge-backups (files at the top, database under database_backups/)."
echo "Logs are in $WORK/logs. The demo's PostgreSQL has been stopped; delete $WORK when done."
