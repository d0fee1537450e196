// The entries of the options table (config/option_table.h says what each column means).
#include "config/option_table.h"

#include <cstdio>

#include "config/config_file.h"
#include "config/env_overrides.h"

namespace dredge {
namespace {

std::string Quote(const std::string& s) {
  return "\"" + s + "\"";
}

std::string ShowList(const std::vector<std::string>& v) {
  if (v.empty()) return "";
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + Quote(v[i]);
  return out + "]";
}

std::string ShowMillis(int64_t ms) {
  if (ms == 0) return "0";
  if (ms % 1000 == 0) return Quote(std::to_string(ms / 1000) + "s");
  return Quote(std::to_string(ms) + "ms");
}

std::string ShowSize(uint64_t bytes) {
  if (bytes == 0) return "0";
  const char* units = "kMGT";
  int unit = -1;
  while (bytes % 1024 == 0 && unit < 3) {
    bytes /= 1024;
    ++unit;
  }
  if (unit < 0) return std::to_string(bytes);
  return Quote(std::to_string(bytes) + units[unit]);
}

std::string ShowNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// [files] max_change: a fraction (0.2) or a percentage string ("20%").
Status ReadMaxChange(TomlFields& f, DredgeConfig* c) {
  const toml::node* n = f.Peek("max_change");
  if (!n || !n->is_string()) return f.Number("max_change", &c->files.max_change, 0.0, 1.0);
  DREDGE_ASSIGN_OR_RETURN(c->files.max_change,
                          ParseFraction(n->as_string()->get(), f.Where(*n, "max_change")));
  std::string ignored;
  return f.String("max_change", &ignored);  // marks the key known
}

// [db] compress: "zstd" | "none", or true/false.
Status ReadCompress(TomlFields& f, DredgeConfig* c) {
  const toml::node* n = f.Peek("compress");
  if (!n || !n->is_boolean()) return f.Choice("compress", &c->db.compress, {"zstd", "none"});
  bool on = true;
  DREDGE_RETURN_IF_ERROR(f.Bool("compress", &on));
  c->db.compress = on ? "zstd" : "none";
  return Status::Ok();
}

// [db] tables (a list of names or "*"), with schemas and exclude_tables; `table` and `tables`
// exclude each other.
Status ReadTables(TomlFields& f, DredgeConfig* c) {
  DbConfig* db = &c->db;
  const std::string& file = f.file();
  if (f.Peek("table") && f.Peek("tables"))
    return Status::Usage(file +
                         ": [db] has both table and tables: keep one (table = \"x\" is "
                         "the same as tables = [\"x\"])");
  if (const toml::node* n = f.Peek("tables"); n && n->is_string()) {
    std::string all;
    DREDGE_RETURN_IF_ERROR(f.String("tables", &all));
    if (all != "*")
      return Status::Usage(file +
                           ": [db] tables must be a list of table names or \"*\" (every "
                           "table of [db] schemas), not \"" +
                           all + "\"");
    db->all_tables = true;
  } else {
    DREDGE_RETURN_IF_ERROR(f.StringList("tables", &db->tables));
  }
  DREDGE_RETURN_IF_ERROR(f.StringList("schemas", &db->schemas));
  DREDGE_RETURN_IF_ERROR(f.StringList("exclude_tables", &db->exclude_tables));
  if ((f.Peek("schemas") || f.Peek("exclude_tables")) && !db->all_tables)
    return Status::Usage(file + ": [db] schemas and exclude_tables go with tables = \"*\"");
  return Status::Ok();
}

Status ReadNice(TomlFields& f, DredgeConfig* c) {
  if (!f.Peek("nice")) return Status::Ok();  // unset: the terminal decides
  bool on = false;
  DREDGE_RETURN_IF_ERROR(f.Bool("nice", &on));
  c->limits.nice = on ? LimitsConfig::Nice::kOn : LimitsConfig::Nice::kOff;
  return Status::Ok();
}

Status ReadHookTimeout(TomlFields& f, DredgeConfig* c) {
  DREDGE_RETURN_IF_ERROR(f.Millis("timeout", &c->hooks.timeout_ms));
  if (c->hooks.timeout_ms > 0) return Status::Ok();
  return Status::Usage(f.file() +
                       ": [hooks] timeout must be above zero (e.g. \"60s\"): a hook that may run "
                       "forever would hold up every backup");
}

#define SHOW(expr) [](const DredgeConfig& c) -> std::string { return expr; }
#define READ(expr) [](TomlFields& f, DredgeConfig* c) -> Status { return f.expr; }
// A flag-only row's default, as the flag takes it.
#define FIXED(text) [](const DredgeConfig&) -> std::string { return text; }

const OptionSpec kOptions[] = {
    // [files]
    {"files.source", "--source", "DREDGE_FILES_SOURCE", "path",
     "The directory to back up (tier 1). Object keys are the paths relative to it.",
     "\"/srv/storydredge/raw\"", SHOW(c.files.source.empty() ? "" : Quote(c.files.source)),
     READ(String("source", &c->files.source))},
    {"files.include", "--include", "", "list of globs",
     "Only paths matching one of these globs (relative to source); unset = everything.",
     "[\"**/*.txt\"]", SHOW(ShowList(c.files.include)),
     READ(StringList("include", &c->files.include))},
    {"files.exclude", "--exclude", "", "list of globs",
     "Paths matching one of these globs are skipped (exclude wins over include).",
     "[\"**/*.tmp\", \"tmp/**\"]", SHOW(ShowList(c.files.exclude)),
     READ(StringList("exclude", &c->files.exclude))},
    {"files.workers", "--workers", "DREDGE_FILES_WORKERS", "integer 1..1024",
     "Files uploaded in parallel.", "", SHOW(std::to_string(c.files.workers)),
     READ(Int("workers", &c->files.workers, 1, 1024))},
    {"files.max_change", "--max-change", "DREDGE_MAX_CHANGE", "fraction 0..1 or percentage string",
     "The share of the backed-up files a run may modify or delete; more stops it before "
     "writing and asks for --force (ransomware, a truncated mount). In dredge.toml a fraction "
     "(0.2) or a percentage (\"20%\"); the flag takes a percentage (20).",
     "", SHOW(Quote(ShowNumber(c.files.max_change * 100) + "%")), &ReadMaxChange},
    // [db]
    {"db.conninfo", "--db", "DREDGE_DB_CONNINFO", "libpq conninfo or URI",
     "The database to back up. Leave out the password: use ~/.pgpass or PGPASSWORD. "
     "application_name=dredge is always set.",
     "\"host=127.0.0.1 dbname=storydredge user=dredge_backup\"",
     SHOW(c.db.conninfo.empty() ? "" : Quote(c.db.conninfo)),
     READ(String("conninfo", &c->db.conninfo))},
    {"db.table", "--table", "DREDGE_DB_TABLE", "table name",
     "The one table to back up when `tables` is not set.", "", SHOW(Quote(c.db.table)),
     READ(String("table", &c->db.table))},
    {"db.tables", "", "", "list of table names, or \"*\"",
     "Several tables from one snapshot, one manifest per run (instead of `table`); \"*\" = "
     "every table of `schemas` except those matching `exclude_tables`.",
     "[\"articles\", \"publications\"]", SHOW(c.db.all_tables ? Quote("*") : ShowList(c.db.tables)),
     &ReadTables},
    {"db.schemas", "", "", "list of schema names",
     "With tables = \"*\": the schemas to take; unset = [\"public\"].", "[\"public\"]",
     SHOW(c.db.all_tables ? ShowList(c.db.schemas) : ""), nullptr},
    {"db.exclude_tables", "", "", "list of globs",
     "With tables = \"*\": tables matching one of these globs are left out.", "[\"tmp_*\"]",
     SHOW(ShowList(c.db.exclude_tables)), nullptr},
    {"db.chunk_size", "--chunk-size", "DREDGE_DB_CHUNK_SIZE", "integer (rows)", "Rows per chunk.",
     "", SHOW(std::to_string(c.db.chunk_size)),
     READ(Int("chunk_size", &c->db.chunk_size, 1, 100000000))},
    {"db.chunk_bytes", "--chunk-bytes", "DREDGE_DB_CHUNK_BYTES", "size (\"64M\") or bytes",
     "A cap on the encoded size of one chunk.", "", SHOW(ShowSize(c.db.chunk_bytes)),
     READ(Size("chunk_bytes", &c->db.chunk_bytes))},
    {"db.workers", "--workers", "DREDGE_DB_WORKERS", "integer 1..1024",
     "Chunks encoded and uploaded in parallel.", "", SHOW(std::to_string(c.db.workers)),
     READ(Int("workers", &c->db.workers, 1, 1024))},
    {"db.compress", "--compress", "DREDGE_DB_COMPRESS", "\"zstd\" or \"none\" (or true/false)",
     "Chunk compression.", "", SHOW(Quote(c.db.compress)), &ReadCompress},
    {"db.statement_timeout", "--statement-timeout", "DREDGE_DB_STATEMENT_TIMEOUT",
     "duration (\"500ms\", \"30s\", \"5m\") or milliseconds",
     "PostgreSQL statement_timeout for dredge's session; 0 = the server's setting.", "",
     SHOW(ShowMillis(c.db.statement_timeout_ms)),
     READ(Millis("statement_timeout", &c->db.statement_timeout_ms))},
    {"db.lock_timeout", "--lock-timeout", "DREDGE_DB_LOCK_TIMEOUT",
     "duration (\"500ms\", \"30s\", \"5m\") or milliseconds",
     "PostgreSQL lock_timeout: give up rather than queue behind DDL.", "",
     SHOW(ShowMillis(c.db.lock_timeout_ms)), READ(Millis("lock_timeout", &c->db.lock_timeout_ms))},
    {"db.encrypt_key_file", "--encrypt-key-file", "DREDGE_ENCRYPT_KEY_FILE", "path",
     "Client-side AES-256-GCM encryption of chunks: the path of a file holding the 32-byte key, "
     "raw, as 64 hex digits or base64 (`openssl rand -hex 32 > db.key; chmod 600 db.key`), never "
     "the key itself. Keep it "
     "outside the destination: without it nothing can be restored.",
     "\"/etc/dredge/db.key\"",
     SHOW(c.db.encrypt_key_file.empty() ? "" : Quote(c.db.encrypt_key_file)),
     READ(String("encrypt_key_file", &c->db.encrypt_key_file))},
    // [retention]
    {"retention.keep_last", "--keep-last", "DREDGE_KEEP_LAST", "integer",
     "Keep the N newest restore points; 0 = this rule keeps nothing.", "",
     SHOW(std::to_string(c.retention.keep_last)),
     READ(Int("keep_last", &c->retention.keep_last, 0, 100000))},
    {"retention.keep_daily", "--keep-daily", "DREDGE_KEEP_DAILY", "integer",
     "Keep the newest point of each of the last N days that have one (UTC).", "",
     SHOW(std::to_string(c.retention.keep_daily)),
     READ(Int("keep_daily", &c->retention.keep_daily, 0, 100000))},
    {"retention.keep_weekly", "--keep-weekly", "DREDGE_KEEP_WEEKLY", "integer",
     "Keep the newest point of each of the last N ISO weeks that have one.", "",
     SHOW(std::to_string(c.retention.keep_weekly)),
     READ(Int("keep_weekly", &c->retention.keep_weekly, 0, 100000))},
    {"retention.keep_monthly", "--keep-monthly", "DREDGE_KEEP_MONTHLY", "integer",
     "Keep the newest point of each of the last N months that have one.", "",
     SHOW(std::to_string(c.retention.keep_monthly)),
     READ(Int("keep_monthly", &c->retention.keep_monthly, 0, 100000))},
    // [logging]
    {"logging.dir", "--log-dir", "DREDGE_LOG_DIR", "path",
     "Per-run log files <dir>/dredge-<tier>-<YYYYMMDD_HHMMSS>.log. Unset: "
     "$XDG_STATE_HOME/dredge/logs, else ~/.local/state/dredge/logs (never the working "
     "directory). A relative dir is relative to the directory of this file.",
     "\"/var/log/dredge\"", SHOW(c.logging.dir.empty() ? "" : Quote(c.logging.dir)),
     READ(String("dir", &c->logging.dir))},
    {"logging.format", "--log-format", "DREDGE_LOG_FORMAT", "\"text\" or \"json\"",
     "Log line format (json: one object per line, for log shippers).", "",
     SHOW(Quote(c.logging.format)), READ(Choice("format", &c->logging.format, {"text", "json"}))},
    {"logging.keep", "", "DREDGE_LOG_KEEP", "integer", "Run logs kept per tier; 0 = keep all.", "",
     SHOW(std::to_string(c.logging.keep)), READ(Int("keep", &c->logging.keep, 0, 100000))},
    // [limits]
    {"limits.bwlimit", "--bwlimit", "DREDGE_BWLIMIT", "rate (\"20M\", \"512k\") or bytes/s",
     "Bytes per second across all workers and both directions; 0 = unlimited. k/M/G are "
     "binary (1024), as in rclone.",
     "", SHOW(ShowSize(c.limits.bwlimit)), READ(Rate("bwlimit", &c->limits.bwlimit))},
    {"limits.tpslimit", "--tpslimit", "DREDGE_TPSLIMIT", "number",
     "Store requests per second; 0 = unlimited.", "", SHOW(ShowNumber(c.limits.tpslimit)),
     READ(Number("tpslimit", &c->limits.tpslimit, 0.0, 1e6))},
    {"limits.nice", "--nice", "DREDGE_NICE", "boolean",
     "Lower CPU and I/O priority (nice 10, best-effort I/O class, lowest level). Unset: on "
     "whenever stdout is not a terminal (cron, systemd).",
     "true",
     SHOW(c.limits.nice == LimitsConfig::Nice::kAuto ? ""
          : c.limits.nice == LimitsConfig::Nice::kOn ? "true"
                                                     : "false"),
     &ReadNice},
    // [hooks] (ops/hooks.h runs them)
    {"hooks.on_success", "", "", "shell command",
     "Run by /bin/sh -c after each successful backup of a tier to a destination.",
     "\"curl -fsS -m 10 https://hc-ping.com/your-uuid\"",
     SHOW(c.hooks.on_success.empty() ? "" : Quote(c.hooks.on_success)),
     READ(String("on_success", &c->hooks.on_success))},
    {"hooks.on_failure", "", "", "shell command",
     "Run after each failed backup of a tier to a destination ($DREDGE_SUMMARY: the run's JSON "
     "summary).",
     "\"curl -fsS -m 10 --data-binary @\\\"$DREDGE_SUMMARY\\\" "
     "https://hc-ping.com/your-uuid/fail\"",
     SHOW(c.hooks.on_failure.empty() ? "" : Quote(c.hooks.on_failure)),
     READ(String("on_failure", &c->hooks.on_failure))},
    {"hooks.on_stale", "", "", "shell command",
     "Run when `dredge status --max-age` finds a tier stale (DREDGE_EXIT_CODE 6, no summary).",
     "\"mail -s \\\"dredge: $DREDGE_TIER is stale\\\" ops@example.org < /dev/null\"",
     SHOW(c.hooks.on_stale.empty() ? "" : Quote(c.hooks.on_stale)),
     READ(String("on_stale", &c->hooks.on_stale))},
    {"hooks.timeout", "", "", "duration", "After this long the hook's process group is killed.", "",
     SHOW(ShowMillis(c.hooks.timeout_ms)), &ReadHookTimeout},
    // Flag-only options of one command (no dredge.toml key, no variable).
    {"restore.workers", "--workers", "", "integer 1..1024",
     "Files tier: files downloaded in parallel.", "", FIXED("16"), nullptr},
    {"restore files.workers", "--workers", "", "integer 1..1024", "Files downloaded in parallel.",
     "", FIXED("16"), nullptr},
    {"restore db.workers", "--workers", "", "integer 1..64",
     "Chunks fetched and decoded in parallel.", "", FIXED("4"), nullptr},
    {"verify files.workers", "--workers", "", "integer 1..1024",
     "Objects downloaded and hashed in parallel with --deep.", "", FIXED("16"), nullptr},
    {"verify db.workers", "--workers", "", "integer 1..64", "Chunks checked in parallel.", "",
     FIXED("4"), nullptr},
    {"prune.workers", "--workers", "", "integer 1..1024", "Deletions in parallel.", "", FIXED("8"),
     nullptr},
    {"drill.sample", "--sample", "", "integer 1..1000000", "Files tier: files to restore.", "",
     FIXED("20"), nullptr},
    {"drill.sample_bytes", "--sample-bytes", "", "size (K, M, G)",
     "Files tier: at most this many bytes in the sample (K, M, G).", "", FIXED("1G"), nullptr},
    {"drill.sample_rows", "--sample-rows", "", "integer 1..10000000",
     "Db tier: rows compared with the source in each direction.", "", FIXED("1000"), nullptr},
    {"drill.workers", "--workers", "", "integer 1..1024", "Files tier: parallel downloads.", "",
     FIXED("8"), nullptr},
    {"drill.seed", "--seed", "", "integer",
     "Seed of the random sample, to repeat a drill (unset: random, printed).", "", FIXED(""),
     nullptr},
};

#undef SHOW
#undef READ
#undef FIXED

const DestinationKeySpec kDestinationKeys[] = {
    {"abort_incomplete_after", "--abort-incomplete-after",
     "duration (\"90s\", \"45m\", \"24h\", \"7d\"; \"0s\" = any age)",
     "Backups and prune abort incomplete multipart uploads under the destination (left by killed "
     "runs, billed until aborted) that no live run owns and that are older than this "
     "(docs/s3.md).",
     "\"24h\"", "24h"},
    {"object_lock.mode", "--object-lock-mode", "\"GOVERNANCE\" or \"COMPLIANCE\"",
     "Lock every backed-up object with S3 Object Lock in this mode, for object_lock.retain; the "
     "bucket needs Object Lock and versioning (docs/object-lock.md).",
     "\"GOVERNANCE\"", ""},
    {"object_lock.retain", "--object-lock-retain", "duration (\"30d\", \"26h\", \"90s\")",
     "How long each backed-up object stays locked after its write.", "\"30d\"", ""},
};

Status FilesDestinations(TomlFields& f, DredgeConfig* c) {
  return ReadDestinations(f, f.file(), "files", &c->files.destinations);
}
Status DbDestinations(TomlFields& f, DredgeConfig* c) {
  return ReadDestinations(f, f.file(), "db", &c->db.destinations);
}

const SectionSpec kSections[] = {
    {"files",
     "The files tier: a directory mirrored to every [[files.destination]].",
     &FilesDestinations,
     "One or more destinations; each gets a complete, independent backup. A failing destination "
     "does not stop the others (exit code 3). The URL picks the driver (file://, s3://, "
     "ro+file:// read-only); the other keys are the drivers' options, each also a flag.",
     {"s3://storydredge-backups/files", "file:///mnt/backup-disk/storydredge-files"},
     [](DredgeConfig* c) { c->files.configured = true; }},
    {"db",
     "The database tier: tables backed up incrementally to every [[db.destination]].",
     &DbDestinations,
     "Destinations of the database tier: the same keys as [[files.destination]].",
     {"s3://storydredge-backups/db", nullptr},
     [](DredgeConfig* c) { c->db.configured = true; }},
    {"retention",
     "What `dredge prune` keeps (for file snapshots and DB manifests).",
     nullptr,
     "",
     {},
     nullptr},
    {"logging",
     "Run logs. --log-dir, --log-format and DREDGE_LOG_* win.",
     nullptr,
     "",
     {},
     nullptr},
    {"limits", "Bandwidth, request rate and priority of every run.", nullptr, "", {}, nullptr},
    {"hooks",
     "Commands run once per tier and destination (docs/operations.md), with DREDGE_RUN_ID, "
     "DREDGE_TIER, DREDGE_DEST, DREDGE_EXIT_CODE and DREDGE_SUMMARY in their environment; their "
     "output goes to the run log. A failing or hanging hook is a warning and never changes the "
     "backup's exit code. Unset = no hook.",
     nullptr,
     "",
     {},
     nullptr},
};

}  // namespace

std::span<const OptionSpec> Options() {
  return kOptions;
}
std::span<const SectionSpec> Sections() {
  return kSections;
}
std::span<const DestinationKeySpec> DestinationKeys() {
  return kDestinationKeys;
}

}  // namespace dredge
