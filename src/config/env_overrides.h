// DREDGE_* environment variables and command-line flags as layers over dredge.toml.
// Precedence: flags > environment > file > built-in defaults. Both the environment and the flags
// are expressed as a ConfigOverrides (every field optional: unset means "this layer says
// nothing"), applied in order by ApplyOverrides; config/config_file.h's ResolveConfig does the
// whole chain, so a command only fills a ConfigOverrides from the flags it was given.
//
// The documented variables (docs/operations.md keeps the same list):
//   DREDGE_CONFIG                 config file path (like --config)
//   DREDGE_DEST                   destination URL(s) for every tier, comma-separated (like --dest)
//   DREDGE_FILES_DEST, DREDGE_DB_DEST   destination URL(s) for one tier, comma-separated
//   DREDGE_FILES_SOURCE           [files] source
//   DREDGE_FILES_WORKERS          [files] workers
//   DREDGE_MAX_CHANGE             [files] max_change (0..1, or a percentage "30%")
//   DREDGE_DB_CONNINFO            [db] conninfo
//   DREDGE_DB_TABLE               [db] table
//   DREDGE_DB_WORKERS             [db] workers
//   DREDGE_DB_CHUNK_SIZE          [db] chunk_size (rows)
//   DREDGE_DB_CHUNK_BYTES         [db] chunk_bytes ("64M")
//   DREDGE_DB_COMPRESS            [db] compress (zstd | none)
//   DREDGE_DB_STATEMENT_TIMEOUT   [db] statement_timeout ("30s", "500ms", milliseconds)
//   DREDGE_DB_LOCK_TIMEOUT        [db] lock_timeout
//   DREDGE_KEEP_LAST, DREDGE_KEEP_DAILY, DREDGE_KEEP_WEEKLY, DREDGE_KEEP_MONTHLY   [retention]
//   DREDGE_LOG_DIR, DREDGE_LOG_FORMAT, DREDGE_LOG_KEEP                              [logging]
//   DREDGE_BWLIMIT ("20M"), DREDGE_TPSLIMIT (requests/s), DREDGE_NICE (1/0, true/false) [limits]
// A bad value is a Usage error naming the variable. Unknown DREDGE_* names draw a warning
// (a typo must not silently do nothing); DREDGE_TEST_* and the test harness's DREDGE_BIN and
// DREDGE_SOURCE_DIR are ignored.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "config/dredge_config.h"

namespace dredge {

using EnvMap = std::map<std::string, std::string>;

// A snapshot of the process environment (tests pass their own map instead).
EnvMap CurrentEnvironment();

struct ConfigOverrides {
  // Destinations replace the configured ones of the tier(s) they name.
  std::vector<DestinationConfig> dest;        // every tier
  std::vector<DestinationConfig> files_dest;  // files only
  std::vector<DestinationConfig> db_dest;     // db only

  std::optional<std::string> files_source;
  std::optional<int> files_workers;
  std::optional<double> max_change;

  std::optional<std::string> db_conninfo;
  std::optional<std::string> db_table;
  std::optional<int> db_workers;
  std::optional<int64_t> db_chunk_size;
  std::optional<uint64_t> db_chunk_bytes;
  std::optional<std::string> db_compress;
  std::optional<int64_t> db_statement_timeout_ms;
  std::optional<int64_t> db_lock_timeout_ms;

  std::optional<int> keep_last, keep_daily, keep_weekly, keep_monthly;

  std::optional<std::string> log_dir;
  std::optional<std::string> log_format;
  std::optional<int> log_keep;

  std::optional<uint64_t> bwlimit;
  std::optional<double> tpslimit;
  std::optional<bool> nice;
};

// Reads the documented DREDGE_* variables from `env`. Unknown DREDGE_* names are appended to
// *warnings (may be null).
Result<ConfigOverrides> OverridesFromEnv(const EnvMap& env, std::vector<std::string>* warnings);

// Writes every field `o` sets into `config`.
void ApplyOverrides(const ConfigOverrides& o, DredgeConfig* config);

// "20%" or "0.2" → 0.2; Usage naming `what` otherwise or outside (0, 1].
Result<double> ParseFraction(const std::string& text, const std::string& what);

}  // namespace dredge
