#include "cli/option_flags.h"

#include <cstdio>
#include <cstdlib>

#include "config/option_table.h"

namespace dredge {
namespace {

const OptionSpec& Entry(const char* key) {
  const OptionSpec* o = FindOption(key);
  if (!o || !*o->flag) {
    std::fprintf(stderr, "dredge: internal error: no flag for setting '%s' in the options table\n",
                 key);
    std::abort();
  }
  return *o;
}

}  // namespace

std::string SettingHelp(const char* key) {
  const OptionSpec& o = Entry(key);
  std::string help = o.help;
  while (!help.empty() && help.back() == '.') help.pop_back();
  std::string def = DefaultText(o);
  if (def.size() >= 2 && def.front() == '"') def = def.substr(1, def.size() - 2);
  std::string where = "dredge.toml [" + SectionOf(o) + "] " + KeyOf(o);
  if (*o.env) where += ", " + std::string(o.env);
  return help + " (" + (def.empty() ? "" : "default: " + def + "; ") + where + ")";
}

std::string SettingFlag(const char* key) {
  return Entry(key).flag;
}

void AddConfigExampleFlag(CLI::App& app) {
  app.add_flag_callback(
         "--dump-config-example",
         []() {
           std::string text = RenderExampleToml();
           std::fwrite(text.data(), 1, text.size(), stdout);
           std::fflush(stdout);
           std::exit(0);
         },
         "Print dredge.example.toml as the options table renders it")
      ->group("");
}

}  // namespace dredge
