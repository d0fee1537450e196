// How a command plugs into the CLI: one entry in the table in commands/command_table.cpp.
// A command's Setup registers its flags on its CLI11 subcommand and returns the function that
// runs it once parsing succeeded. Commands orchestrate; engines decide.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "common/status.h"

namespace dredge {

// Options every command sees (parsed before the command runs).
struct GlobalOptions {
  std::string config_path;  // --config / DREDGE_CONFIG
  // Empty = not given: [logging] in dredge.toml, DREDGE_LOG_*, then the defaults (DefaultLogDir,
  // "text") apply (commands/run_setup.h resolves them).
  std::string log_dir;
  std::string log_format;  // text | json
  int verbosity = 0;       // -v: debug on stderr
  bool quiet = false;
};

using Runner = std::function<Status()>;
using SetupFn = Runner (*)(CLI::App& cmd, const GlobalOptions& global);

struct CommandEntry {
  const char* parent;   // "" for a top-level command, else the parent's name ("backup")
  const char* name;     // "files"
  const char* summary;  // one line for --help
  SetupFn setup;
};

}  // namespace dredge
