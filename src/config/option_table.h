// The one table of dredge's settings: every dredge.toml key with its type, default, help text,
// the DREDGE_* variable and the command-line flag that override it. Everything that states a
// setting or its default comes from here:
//  - dredge.toml parsing (ParseSection reads a section's keys through the entries' readers),
//  - the defaults, which are the member initialisers of DredgeConfig rendered by each entry's
//    `show` (so the table cannot disagree with what a run uses),
//  - the flags' --help text (cli/option_flags.h: HelpText),
//  - dredge.example.toml, which RenderExampleToml produces whole (`dredge --dump-config-example`;
//    tests/cli/defaults_agree_test.cpp fails when the file differs),
//  - the list of DREDGE_* variables the environment layer knows (config/env_overrides.cpp).
//  - the DREDGE_* environment layer, which reads a row's variable with the row's reader
//    (config/env_overrides.h).
// Adding a setting is one OptionSpec line (and its field in DredgeConfig); adding a section is one
// SectionSpec line. Destination entries ([[files.destination]]) are read by their section's
// `extra` reader; their keys are the drivers' option rows (store/driver_options.h) and the
// DestinationKeySpec rows below, and the example file shows every one of them.
//
// A flag-only row (an option of one command that dredge.toml does not hold, such as
// `restore files --workers`) has the key "<command path>.<name>" ("restore files.workers"),
// whose first part is no SectionSpec, no reader and no variable; its `show` returns the default,
// which cli/option_flags.h gives the flag's variable when it registers the flag.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/status.h"
#include "config/dredge_config.h"
#include "config/toml_fields.h"

namespace dredge {

struct OptionSpec {
  const char* key;      // dotted dredge.toml key: "files.workers"
  const char* flag;     // flag overriding it ("--workers"), "" when none
  const char* env;      // DREDGE_* variable overriding it, "" when none
  const char* type;     // what a value looks like: "integer 1..1024", "duration (\"30s\")"
  const char* help;     // what it does, one or more sentences, without the default
  const char* example;  // a sample value, shown commented out, for keys without a default
  // The value in `c` as TOML text; "" when unset (no default: the example is shown instead).
  std::string (*show)(const DredgeConfig& c);
  // Reads the key from its section into `c`; nullptr when another entry's reader reads it.
  Status (*read)(TomlFields& f, DredgeConfig* c);
};

struct SectionSpec {
  const char* name;   // "files": the table [files]
  const char* intro;  // comment printed under the header in the example file
  // Keys outside the table (arrays of destination tables); nullptr = none.
  Status (*extra)(TomlFields& f, DredgeConfig* c);
  // Destination entries in the example file: the comment above them ("" = the section has
  // none) and the sample URLs, one [[<name>.destination]] each, the first with every key.
  const char* destinations;
  const char* sample_urls[2];
  // Marks the section as present (FilesConfig::configured); nullptr = nothing to mark.
  void (*mark)(DredgeConfig* c);
};

// A key of every destination entry that is not a driver's option: how old an abandoned upload
// must be before it is aborted, and Object Lock (read by config_file.cpp's ReadDestinations).
struct DestinationKeySpec {
  const char* key;      // "abort_incomplete_after", "object_lock.mode" (a dotted TOML key)
  const char* flag;     // "--abort-incomplete-after"
  const char* type;     // what a value looks like
  const char* help;     // what it does, without the default
  const char* example;  // a sample value as TOML, shown commented out
  const char* def;      // the default as the flag takes it ("24h"), "" = none
};

std::span<const OptionSpec> Options();
std::span<const DestinationKeySpec> DestinationKeys();
// The entry of destination key `key`, aborting (a programming error) when there is none.
const DestinationKeySpec& DestinationKey(std::string_view key);
// The --help text of the flag of destination key row `d`.
std::string DestinationFlagHelp(const DestinationKeySpec& d);
std::span<const SectionSpec> Sections();

// The entry of a dotted key, or nullptr.
const OptionSpec* FindOption(std::string_view key);
// The entry whose flag is `flag` among the keys of `section`, or nullptr.
const OptionSpec* FindOptionByFlag(std::string_view section, std::string_view flag);

// The entry whose variable is `env` ("DREDGE_FILES_WORKERS"), or nullptr.
const OptionSpec* FindOptionByEnv(std::string_view env);

// True for a dredge.toml key (its section is one of Sections()), false for a flag-only row.
bool InConfigFile(const OptionSpec& o);

// The --help text of the row's flag: "<help> (default: 8; dredge.toml [files] workers,
// DREDGE_FILES_WORKERS)"; a flag-only row: "<help> (default: 16)".
std::string FlagHelp(const OptionSpec& o);

// "files" for "files.workers"; "workers" is the key inside it.
std::string SectionOf(const OptionSpec& o);
std::string KeyOf(const OptionSpec& o);

// The default as TOML text (show applied to DredgeConfig{}); "" when there is none.
std::string DefaultText(const OptionSpec& o);

// Reads every key of section `s` from `table`, then its extra keys; unknown keys are Usage
// errors (TomlFields::Finish).
Status ParseSection(const SectionSpec& s, const toml::table& table, const std::string& file,
                    DredgeConfig* c);

// The whole dredge.example.toml.
std::string RenderExampleToml();

}  // namespace dredge
