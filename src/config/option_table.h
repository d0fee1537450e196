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
// Adding a setting is one OptionSpec line (and its field in DredgeConfig); adding a section is one
// SectionSpec line. Destination entries ([[files.destination]]) are read by their section's
// `extra` reader and shown by its hand-written `trailer`.
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
  // Hand-written TOML printed after the section's keys in the example file ("" = none).
  const char* trailer;
  // Marks the section as present (FilesConfig::configured); nullptr = nothing to mark.
  void (*mark)(DredgeConfig* c);
};

std::span<const OptionSpec> Options();
std::span<const SectionSpec> Sections();

// The entry of a dotted key, or nullptr.
const OptionSpec* FindOption(std::string_view key);
// The entry whose flag is `flag` among the keys of `section`, or nullptr.
const OptionSpec* FindOptionByFlag(std::string_view section, std::string_view flag);

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
