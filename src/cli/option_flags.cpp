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
  return FlagHelp(Entry(key));
}

std::string SettingDefault(const char* key) {
  const OptionSpec& o = Entry(key);
  return InConfigFile(o) ? std::string() : DefaultText(o);
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
