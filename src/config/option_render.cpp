// Lookups over the options table, reading a section through it, and dredge.example.toml.
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <utility>

#include "config/option_table.h"
#include "store/driver_options.h"

namespace dredge {
namespace {

const char kExampleHeader[] =
    R"(# dredge.example.toml: every setting dredge reads from its config file, with its default.
# GENERATED from src/config/option_table.cpp by `dredge --dump-config-example`: edit the table,
# not this file (tests/cli/defaults_agree_test.cpp fails when they differ).
#
# Copy to ./dredge.toml or ~/.config/dredge/dredge.toml (or point --config / DREDGE_CONFIG at
# it) and keep what you need; anything left out keeps the default shown here. A key shown
# commented out has no default (its comment says what happens when it is unset).
# Precedence: command-line flags > DREDGE_* environment variables > this file > defaults.
# Unknown keys and wrong types are errors naming the line, so a typo never goes unnoticed.
#
# Credentials do NOT belong here: S3 keys come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
# AWS_PROFILE and ~/.aws/credentials; database passwords from PGPASSWORD or ~/.pgpass. If a
# conninfo below does carry a password, keep this file private (chmod 600): dredge warns when
# a file holding a password is readable by other users.
#
# With no file and no --dest, backups go to file://./dredge-backups/.
)";

// `text` as "# "-comment lines of at most 98 columns.
std::string Comment(const std::string& text) {
  std::istringstream words(text);
  std::string out, line, word;
  while (words >> word) {
    if (!line.empty() && line.size() + 1 + word.size() > 96) {
      out += "# " + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out += "# " + line + "\n";
  return out;
}

std::string Overridden(const OptionSpec& o) {
  std::string by;
  if (*o.flag) by += std::string("flag ") + o.flag;
  if (*o.env) by += (by.empty() ? "" : ", ") + std::string(o.env);
  return by.empty() ? "" : "; " + by;
}

// "[[files.destination]]" entries: one per sample URL; the first of the file lists every
// destination key (the drivers' rows, then DestinationKeys()), commented out.
std::string Destinations(const SectionSpec& s, bool* keys_shown) {
  std::string out = "\n" + Comment(s.destinations);
  bool first = true;
  for (const char* url : s.sample_urls) {
    if (!url) continue;
    if (!std::exchange(first, false)) out += "\n";
    out += std::string("[[") + s.name + ".destination]]\nurl = \"" + url + "\"\n";
    if (*keys_shown) continue;
    *keys_shown = true;
    for (const StoreOptionSpec* o : AllStoreOptions()) {
      std::string by = std::string("flag ") + o->flag;
      if (*o->env) by += std::string("; unset: ") + o->env;
      out += Comment(std::string(o->help) + " (" + o->type + "; " + by + ")");
      out += std::string("# ") + o->key + " = " + o->example + "\n";
    }
    for (const auto& d : DestinationKeys()) {
      std::string note = std::string(d.type) + "; flag " + d.flag;
      if (*d.def) note = "default " + std::string(d.def) + "; " + note;
      out += Comment(std::string(d.help) + " (" + note + ")");
      out += std::string("# ") + d.key + " = " + d.example + "\n";
    }
  }
  return out;
}

}  // namespace

const DestinationKeySpec& DestinationKey(std::string_view key) {
  for (const auto& d : DestinationKeys())
    if (key == d.key) return d;
  std::fprintf(stderr, "dredge: internal error: no destination key '%.*s' in the options table\n",
               static_cast<int>(key.size()), key.data());
  std::abort();
}

std::string DestinationFlagHelp(const DestinationKeySpec& d) {
  std::string help = d.help;
  while (!help.empty() && help.back() == '.') help.pop_back();
  return help + " (" + (*d.def ? "default: " + std::string(d.def) + "; " : "") +
         "dredge.toml destination key " + d.key + ")";
}

const OptionSpec* FindOption(std::string_view key) {
  for (const auto& o : Options())
    if (key == o.key) return &o;
  return nullptr;
}

const OptionSpec* FindOptionByFlag(std::string_view section, std::string_view flag) {
  for (const auto& o : Options())
    if (SectionOf(o) == section && flag == o.flag) return &o;
  return nullptr;
}

const OptionSpec* FindOptionByEnv(std::string_view env) {
  for (const auto& o : Options())
    if (*o.env && env == o.env) return &o;
  return nullptr;
}

bool InConfigFile(const OptionSpec& o) {
  for (const auto& s : Sections())
    if (SectionOf(o) == s.name) return true;
  return false;
}

std::string FlagHelp(const OptionSpec& o) {
  std::string help = o.help;
  while (!help.empty() && help.back() == '.') help.pop_back();
  std::string def = DefaultText(o);
  if (def.size() >= 2 && def.front() == '"') def = def.substr(1, def.size() - 2);
  std::string where;
  if (InConfigFile(o)) where = "dredge.toml [" + SectionOf(o) + "] " + KeyOf(o);
  if (*o.env) where += (where.empty() ? "" : ", ") + std::string(o.env);
  std::string note = def.empty() ? "" : "default: " + def;
  if (!where.empty()) note += (note.empty() ? "" : "; ") + where;
  return note.empty() ? help : help + " (" + note + ")";
}

std::string SectionOf(const OptionSpec& o) {
  std::string_view k = o.key;
  return std::string(k.substr(0, k.find('.')));
}

std::string KeyOf(const OptionSpec& o) {
  std::string_view k = o.key;
  return std::string(k.substr(k.find('.') + 1));
}

std::string DefaultText(const OptionSpec& o) {
  return o.show(DredgeConfig{});
}

Status ParseSection(const SectionSpec& s, const toml::table& table, const std::string& file,
                    DredgeConfig* c) {
  TomlFields f(table, file, s.name);
  if (s.mark) s.mark(c);
  for (const auto& o : Options()) {
    if (SectionOf(o) != s.name) continue;
    if (o.read) {
      DREDGE_RETURN_IF_ERROR(o.read(f, c));
    }
  }
  if (s.extra) DREDGE_RETURN_IF_ERROR(s.extra(f, c));
  return f.Finish();
}

std::string RenderExampleToml() {
  std::string out = kExampleHeader;
  bool keys_shown = false;
  for (const auto& s : Sections()) {
    out += std::string("\n[") + s.name + "]\n" + Comment(s.intro);
    for (const auto& o : Options()) {
      if (SectionOf(o) != s.name) continue;
      out += Comment(std::string(o.help) + " (" + o.type + Overridden(o) + ")");
      std::string def = DefaultText(o);
      if (!def.empty()) out += KeyOf(o) + " = " + def + "\n";
      if (def.empty() || (*o.example && def != o.example))
        out += "# " + KeyOf(o) + " = " + (*o.example ? o.example : def) + "\n";
    }
    if (*s.destinations) out += Destinations(s, &keys_shown);
  }
  return out;
}

}  // namespace dredge
