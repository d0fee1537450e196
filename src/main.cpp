// dredge: parse → command table → exit code.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/build_info.h"
#include "cli/cli_dump.h"
#include "cli/command.h"
#include "cli/option_flags.h"
#include "cli/suggest.h"
#include "commands/command_table.h"
#include "common/early_secrets.h"
#include "common/exit_codes.h"
#include "common/log.h"

namespace {

using dredge::GlobalOptions;

struct Registered {
  CLI::App* app = nullptr;
  dredge::Runner run;
};
using RegisteredMap = std::map<std::string, Registered>;  // "parent name" or "name"

void AddGlobalFlags(CLI::App& app, GlobalOptions& global) {
  using namespace dredge;
  app.set_version_flag("--version", VersionText());
  AddCliDumpFlag(app);
  AddConfigExampleFlag(app);
  app.require_subcommand(1);
  app.fallthrough();
  if (const char* c = std::getenv("DREDGE_CONFIG")) global.config_path = c;
  app.add_option("--config", global.config_path, "Config file (default: ./dredge.toml)");
  AddSettingFlag(app, "logging.dir", &global.log_dir);
  AddSettingFlag(app, "logging.format", &global.log_format)->check(CLI::IsMember({"text", "json"}));
  app.add_flag("-v,--verbose", global.verbosity, "Debug output on stderr");
  app.add_flag("-q,--quiet", global.quiet, "Only warnings and errors on stderr");
}

// Every command of the table under its parent ("backup files" under "backup").
RegisteredMap RegisterCommands(CLI::App& app, GlobalOptions& global) {
  using namespace dredge;
  RegisteredMap registered;
  for (size_t i = 0; i < kCommandCount; ++i) {
    const CommandEntry& e = kCommands[i];
    CLI::App* parent = &app;
    if (*e.parent) {
      auto& p = registered[e.parent];
      if (!p.app) {
        p.app = app.add_subcommand(e.parent, std::string("Run ") + e.parent + " commands");
        p.app->require_subcommand(1);
      }
      parent = p.app;
    }
    std::string key = *e.parent ? std::string(e.parent) + " " + e.name : e.name;
    CLI::App* cmd = registered[key].app;  // a parent created earlier by one of its children
    if (!cmd) cmd = parent->add_subcommand(e.name, e.summary);
    cmd->description(e.summary);
    if (!*e.parent) cmd->require_subcommand(0, 1);  // runnable parent ("backup" alone)
    cmd->fallthrough();
    registered[key].app = cmd;
    registered[key].run = e.setup(*cmd, global);
  }
  return registered;
}

// Parses the command line; an exit code when the run ends here (help, version, usage error).
std::optional<int> Parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "dredge: %s\n",
                 dredge::log::Scrub(dredge::UsageMessage(app, e, argc, argv)).c_str());
    return dredge::kExitUsage;
  }
  return std::nullopt;
}

void ApplyLogFlags(const GlobalOptions& global) {
  using namespace dredge;
  log::SetStderrLevel(global.quiet           ? log::Level::kWarn
                      : global.verbosity > 0 ? log::Level::kDebug
                                             : log::Level::kInfo);
  // Tier commands apply [logging] format themselves once the config is read (run_setup.h).
  if (!global.log_format.empty())
    log::SetFormat(global.log_format == "json" ? log::Format::kJson : log::Format::kText);
}

// The deepest parsed command with a runner ("backup files" over "backup"); null when none.
const Registered* ChosenCommand(const RegisteredMap& registered) {
  const Registered* chosen = nullptr;
  size_t depth = 0;
  for (const auto& [key, reg] : registered) {
    if (!reg.app || !reg.app->parsed() || !reg.run) continue;
    size_t d = std::count(key.begin(), key.end(), ' ') + 1;
    if (!chosen || d > depth) {
      chosen = &reg;
      depth = d;
    }
  }
  return chosen;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace dredge;
  RegisterEarlySecrets(argc, argv);  // before parsing: CLI11 echoes bad values
  CLI::App app{"dredge: backups of a file tree and a PostgreSQL table to file:// or s3:// stores",
               "dredge"};
  GlobalOptions global;
  AddGlobalFlags(app, global);
  const RegisteredMap registered = RegisterCommands(app, global);
  if (auto done = Parse(app, argc, argv)) return *done;
  ApplyLogFlags(global);
  const Registered* chosen = ChosenCommand(registered);
  if (!chosen) {
    std::fprintf(stderr, "dredge: no command given (see 'dredge --help')\n");
    return kExitUsage;
  }
  Status st = chosen->run();
  if (!st.ok() && !st.message().empty()) log::Error(st.message());
  return ExitCodeFor(st);
}
