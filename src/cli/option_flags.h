// Command-line flags for settings of the options table (config/option_table.h). The flag's name
// and its --help text come from the table entry: the help sentence, the default the run uses
// (rendered from DredgeConfig's initialisers), the dredge.toml key and the DREDGE_* variable, so
// --help cannot state a default that the code does not use. A flag registered here says nothing
// about how its value is applied: the command still fills ConfigOverrides when the flag was
// given (Option::count() > 0), so the precedence flags > environment > file > default holds.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace dredge {

// "<help> (default: 8; dredge.toml [files] workers, DREDGE_FILES_WORKERS)". `key` must be an
// entry of the table (a programming error otherwise: the process aborts with a message).
std::string SettingHelp(const char* key);

// The flag of table entry `key` (e.g. "--workers" for "files.workers").
std::string SettingFlag(const char* key);

// The default a flag-only row gives its flag's variable ("" for a dredge.toml key, whose
// default is DredgeConfig's and whose flag only overrides when given).
std::string SettingDefault(const char* key);

// Registers the entry's flag on `cmd`, storing into *var. For a flag-only row the variable is
// set to the row's default now (the one truth; the struct's initialiser does not matter), and
// --help and --dump-cli-json show it.
template <typename T>
CLI::Option* AddSettingFlag(CLI::App& cmd, const char* key, T* var) {
  CLI::Option* opt = cmd.add_option(SettingFlag(key), *var, SettingHelp(key));
  if (std::string def = SettingDefault(key); !def.empty()) opt->default_val(def);
  return opt;
}

// Adds the hidden flag --dump-config-example: prints dredge.example.toml as the table renders it
// and exits 0 (scripts/gen_config_example.sh writes the file with it).
void AddConfigExampleFlag(CLI::App& app);

}  // namespace dredge
