// DREDGE_* environment variables and command-line flags as layers over dredge.toml.
// Precedence: flags > environment > file > built-in defaults. Both the environment and the flags
// are expressed as a ConfigOverrides (every field optional: unset means "this layer says
// nothing"), applied in order by ApplyOverrides; config/config_file.h's ResolveConfig does the
// whole chain, so a command only fills a ConfigOverrides from the flags it was given.
//
// The variables: DREDGE_CONFIG (like --config), DREDGE_DEST (destination URLs for every tier,
// comma-separated, like --dest), DREDGE_FILES_DEST and DREDGE_DB_DEST (one tier), and the `env`
// of every options-table row (config/option_table.cpp; dredge.example.toml, --help and
// docs/operations.md name them).
// A bad value is a Usage error naming the variable. Unknown DREDGE_* names draw a warning
// (a typo must not silently do nothing); DREDGE_TEST_* and the test harness's DREDGE_BIN and
// DREDGE_SOURCE_DIR are ignored.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "config/dredge_config.h"

namespace dredge {

struct OptionSpec;

using EnvMap = std::map<std::string, std::string>;

// A snapshot of the process environment (tests pass their own map instead).
EnvMap CurrentEnvironment();

struct ConfigOverrides {
  // Destinations replace the configured ones of the tier(s) they name.
  std::vector<DestinationConfig> dest;        // every tier
  std::vector<DestinationConfig> files_dest;  // files only
  std::vector<DestinationConfig> db_dest;     // db only

  // Settings of the options table given by their DREDGE_* variable (environment layer): the row
  // and the variable's text, applied through the row's dredge.toml reader.
  std::vector<std::pair<const OptionSpec*, std::string>> settings;

  // Settings given by flags (the commands fill these).
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

// Reads the DREDGE_* variables of `env`: the destinations, and every options-table row that
// names a variable (config/option_table.h), each parsed by the row's own dredge.toml reader, so
// a variable accepts what its key accepts (booleans also as 1/0, yes/no, on/off). A bad value is
// a Usage error naming the variable, its key and its type. Unknown DREDGE_* names are appended
// to *warnings (may be null).
Result<ConfigOverrides> OverridesFromEnv(const EnvMap& env, std::vector<std::string>* warnings);

// Reads `value` of row `o`'s variable into `c` through the row's reader (Usage when invalid).
Status ApplyEnvValue(const OptionSpec& o, const std::string& value, DredgeConfig* c);

// Writes every field `o` sets into `config`.
void ApplyOverrides(const ConfigOverrides& o, DredgeConfig* config);

// "20%" or "0.2" → 0.2; Usage naming `what` otherwise or outside (0, 1].
Result<double> ParseFraction(const std::string& text, const std::string& what);

}  // namespace dredge
