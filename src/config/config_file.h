// Finding and loading dredge.toml, and the one call a command makes to get its settings.
//
// Search order (first hit wins): --config PATH, $DREDGE_CONFIG, ./dredge.toml,
// $XDG_CONFIG_HOME/dredge/dredge.toml (default ~/.config/dredge/dredge.toml). A path given by
// --config or DREDGE_CONFIG that does not exist is a Usage error; finding no file at all is fine
// (built-in defaults, destination file://./dredge-backups/).
//
// The file format is documented key by key in dredge.example.toml at the repository root.
// Unknown keys, wrong types and out-of-range values are Usage errors naming the file, line and
// dotted key. A file readable by group or others that holds a secret (a password in [db]
// conninfo) loads, with a warning in DredgeConfig::warnings; a conninfo password is also
// registered with the log scrubber.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/dredge_config.h"
#include "config/env_overrides.h"
#include "config/toml_fields.h"

namespace dredge {

// The path to load, or "" when there is none. `cwd` is where ./dredge.toml is looked for.
Result<std::string> FindConfigFile(const std::string& flag_path, const EnvMap& env,
                                   const std::string& cwd = ".");

// Parses dredge.toml text; `file_name` is used in messages.
Result<DredgeConfig> ParseConfigText(std::string_view text, const std::string& file_name);

// Reads and parses `path` and checks its permissions (warnings, never errors).
Result<DredgeConfig> LoadConfigFile(const std::string& path);

// Reads the array of tables `destination` of `parent` (the [files] or [db] table, `tier`) into
// *out; each entry needs a url. For the options table's sections (config/option_table.h).
Status ReadDestinations(TomlFields& parent, const std::string& file, const std::string& tier,
                        std::vector<DestinationConfig>* out);

// Where run logs go when neither [logging] dir, DREDGE_LOG_DIR nor --log-dir says: a place that
// does not depend on the working directory, $XDG_STATE_HOME/dredge/logs, else
// $HOME/.local/state/dredge/logs, else /tmp/dredge-<uid>/logs.
std::string DefaultLogDir(const EnvMap& env);

// The whole chain: find → load (or defaults) → DREDGE_* environment → `flags`. A relative
// [logging] dir in the file is taken relative to the file's directory (so cron and a shell in
// another directory log to the same place); an empty one becomes DefaultLogDir(env).
Result<DredgeConfig> ResolveConfig(const std::string& config_flag, const EnvMap& env,
                                   const ConfigOverrides& flags);

}  // namespace dredge
