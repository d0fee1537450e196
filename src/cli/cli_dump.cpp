#include "cli/cli_dump.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli/build_info.h"

namespace dredge {
namespace {

constexpr const char* kDumpFlag = "--dump-cli-json";

nlohmann::json DumpOption(const CLI::Option& o) {
  nlohmann::json j;
  j["long"] = nlohmann::json::array();
  for (const auto& n : o.get_lnames()) j["long"].push_back("--" + n);
  j["short"] = nlohmann::json::array();
  for (const auto& n : o.get_snames()) j["short"].push_back("-" + n);
  j["positional"] = o.get_positional() && !o.nonpositional() ? o.get_name(true) : "";
  j["description"] = o.get_description();
  j["takes_value"] = o.get_expected_max() > 0 && o.get_type_size_max() > 0;
  j["type"] = o.get_type_name();  // "TEXT", "INT", "TEXT:{text,json}" for a choice
  j["default"] = o.get_default_str();
  j["required"] = o.get_required();
  return j;
}

nlohmann::json DumpApp(const CLI::App& app) {
  nlohmann::json j;
  j["name"] = app.get_name();
  j["description"] = app.get_description();
  j["options"] = nlohmann::json::array();
  for (const CLI::Option* o : app.get_options()) {
    bool hidden = o->get_group().empty();
    if (hidden || o->check_lname(kDumpFlag + 2)) continue;
    j["options"].push_back(DumpOption(*o));
  }
  j["subcommands"] = nlohmann::json::array();
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    j["subcommands"].push_back(DumpApp(*sub));
  return j;
}

}  // namespace

std::string DumpCli(const CLI::App& app) {
  nlohmann::json j = DumpApp(app);
  j["version"] = VersionText();
  return j.dump(2);
}

void AddCliDumpFlag(CLI::App& app) {
  // The callback runs while parsing, before required subcommands are checked.
  app.add_flag_callback(
         kDumpFlag,
         [&app]() {
           std::printf("%s\n", DumpCli(app).c_str());
           std::fflush(stdout);
           std::exit(0);
         },
         "Print the command tree as JSON (for the man page and completions)")
      ->group("");
}

}  // namespace dredge
