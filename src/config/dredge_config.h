// DredgeConfig: every setting dredge.toml can hold, typed, with the defaults a run uses when
// neither the file, the DREDGE_* environment nor a flag sets it (precedence: flags > environment
// > file > these defaults; see config/env_overrides.h). Pure data: loading lives in
// config/config_file.h. Credentials are never part of it: S3 keys come from the AWS environment
// and ~/.aws files, database passwords from PGPASSWORD/~/.pgpass (a conninfo may still carry one;
// the loader warns when such a file is readable by others).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/hooks_config.h"
#include "store/store_options.h"

namespace dredge {

// Used when no destination is configured and none is given with --dest.
inline constexpr const char* kDefaultDestinationUrl = "file://./dredge-backups/";

// One [[files.destination]] or [[db.destination]] entry.
struct DestinationConfig {
  std::string url;
  // The drivers' options (each driver's rows in store/registry.cpp name their keys), and
  // object_lock = { mode, retain } (docs/object-lock.md; both empty = off).
  StoreOptions store;
  // Incomplete multipart uploads older than this that no live run owns are aborted by backups
  // and prune (ops/upload_cleanup.h); -1 = the default (24h).
  int64_t abort_incomplete_after_ms = -1;
};

// Store options for opening `d` (the fields a destination entry can set; the rest default).
StoreOptions ToStoreOptions(const DestinationConfig& d);

struct FilesConfig {
  bool configured = false;           // a [files] table was present
  std::string source;                // directory to back up
  std::vector<std::string> include;  // glob patterns; empty = everything
  std::vector<std::string> exclude;
  int workers = 8;
  // A run that would change (modify or delete) more than this fraction of the tree stops and
  // asks for --force.
  double max_change = 0.2;
  std::vector<DestinationConfig> destinations;
};

struct DbConfig {
  bool configured = false;         // a [db] table was present
  std::string conninfo;            // libpq conninfo or URI; empty = PG* environment variables
  std::string table = "articles";  // the one-table shorthand, used when `tables` is empty
  // `tables = ["a", "b"]`: these tables, one snapshot; `tables = "*"` (all_tables): every
  // table of `schemas` except those matching an `exclude_tables` glob.
  std::vector<std::string> tables;
  bool all_tables = false;
  std::vector<std::string> schemas = {"public"};
  std::vector<std::string> exclude_tables;
  int64_t chunk_size = 1000;           // rows per chunk
  uint64_t chunk_bytes = 64ull << 20;  // cap on the encoded size of one chunk
  int workers = 4;
  std::string compress = "none";     // "zstd" or "none"
  int64_t statement_timeout_ms = 0;  // 0 = the server's setting
  int64_t lock_timeout_ms = 5000;
  // Path of the AES-256-GCM key for chunks (commands/encrypt_flags.h); empty = not encrypted.
  // The key itself never goes into the config file.
  std::string encrypt_key_file;
  std::vector<DestinationConfig> destinations;
};

// Counts of restore points prune keeps; 0 = this rule keeps nothing extra. All zero means
// prune has nothing to go by and refuses to run without flags.
struct RetentionConfig {
  int keep_last = 0;
  int keep_daily = 0;
  int keep_weekly = 0;
  int keep_monthly = 0;
};

struct LoggingConfig {
  // Empty = DefaultLogDir (config/config_file.h), filled in by ResolveConfig.
  std::string dir;
  std::string format = "text";  // "text" or "json"
  int keep = 30;                // run logs kept per tier; 0 = keep all
};

struct LimitsConfig {
  uint64_t bwlimit = 0;  // bytes per second across all workers and both directions; 0 = none
  double tpslimit = 0;   // store requests per second; 0 = none
  // Lower CPU and I/O priority. Unset means: on when stdout is not a terminal.
  enum class Nice { kAuto, kOn, kOff } nice = Nice::kAuto;
};

struct DredgeConfig {
  std::string path;  // the file it was loaded from; empty when none was found
  FilesConfig files;
  DbConfig db;
  RetentionConfig retention;
  LoggingConfig logging;
  LimitsConfig limits;
  HooksConfig hooks;
  // Problems worth telling the user that do not stop the run (file readable by others with a
  // secret in it, unknown DREDGE_* variables). The command logs them.
  std::vector<std::string> warnings;

  // Destinations of a tier ("files" or "db"); the embedded default when none are configured.
  std::vector<DestinationConfig> DestinationsFor(const std::string& tier) const;
  // Every distinct destination URL across tiers, in order of first appearance; the default when
  // none are configured.
  std::vector<DestinationConfig> AllDestinations() const;
};

}  // namespace dredge
