#include "config/config_file.h"

#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/log.h"
#include "config/option_table.h"
#include "config/toml_fields.h"
#include "store/driver_options.h"
#include "store/object_lock.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;

// True when a conninfo (key=value or URI form) carries a password; registers it for scrubbing.
bool ConninfoHasPassword(const std::string& conninfo) {
  if (conninfo.empty()) return false;
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (err) PQfreemem(err);
  if (!opts) return false;
  bool found = false;
  for (PQconninfoOption* o = opts; o->keyword; ++o) {
    if (std::string(o->keyword) == "password" && o->val && *o->val) {
      log::RegisterSecret(o->val);
      found = true;
    }
  }
  PQconninfoFree(opts);
  return found;
}

// object_lock = { mode = "GOVERNANCE" | "COMPLIANCE", retain = "30d" } (docs/object-lock.md),
// checked here so a wrong value stops the run naming the entry.
Status ReadObjectLock(TomlFields& dest, const std::string& file, const std::string& where,
                      ObjectLockSettings* out) {
  DREDGE_ASSIGN_OR_RETURN(const toml::table* t, dest.Table("object_lock"));
  if (!t) return Status::Ok();
  TomlFields f(*t, file, where + ".object_lock");
  DREDGE_RETURN_IF_ERROR(f.Choice("mode", &out->mode, {"GOVERNANCE", "COMPLIANCE"}));
  DREDGE_RETURN_IF_ERROR(f.String("retain", &out->retain));
  DREDGE_RETURN_IF_ERROR(f.Finish());
  auto checked = CheckObjectLock(*out);
  if (!checked.ok()) return Status::Usage(file + ": " + where + ": " + checked.status().message());
  return Status::Ok();
}

// One driver option of a destination entry (store/driver_options.h): a boolean, or a string that
// must be one of the row's choices when it has any.
Status ReadStoreOption(TomlFields& f, const StoreOptionSpec& o, StoreOptions* out) {
  if (o.on) return f.Bool(o.key, &(out->*o.on));
  std::string& value = out->*o.text;
  DREDGE_RETURN_IF_ERROR(f.String(o.key, &value));
  std::vector<std::string> choices = ChoicesOf(o);
  if (choices.empty() || value.empty()) return Status::Ok();
  std::string list;
  for (const auto& c : choices) {
    if (value == c) return Status::Ok();
    list += (list.empty() ? "\"" : ", \"") + c + "\"";
  }
  return Status::Usage(f.Where(*f.Peek(o.key), o.key) + " is \"" + value + "\": use one of " +
                       list);
}

// A destination key that the URL's driver does not take (region on a file:// destination)
// would be ignored without a word: refused, naming the key and the drivers that take it.
Status CheckDriverKeys(TomlFields& f, const DestinationConfig& d) {
  const auto own = OptionsOfUrl(d.url);
  for (const StoreOptionSpec* o : AllStoreOptions()) {
    const bool set = (o->text && !(d.store.*o->text).empty()) || (o->on && d.store.*o->on);
    const bool taken = std::any_of(own.begin(), own.end(),
                                   [&](const StoreOptionSpec& r) { return r.key == o->key; });
    if (!set || taken || !f.Peek(o->key)) continue;
    return Status::Usage(f.Where(*f.Peek(o->key), o->key) + " is an option of " +
                         SchemesTaking(o->key) + " destinations, and " + d.url +
                         " does not use it: remove it, or point url at such a destination");
  }
  return Status::Ok();
}

}  // namespace

Status ReadDestinations(TomlFields& parent, const std::string& file, const std::string& tier,
                        std::vector<DestinationConfig>* out) {
  DREDGE_ASSIGN_OR_RETURN(auto tables, parent.TableArray("destination"));
  out->clear();
  for (size_t i = 0; i < tables.size(); ++i) {
    const std::string where = tier + ".destination[" + std::to_string(i + 1) + "]";
    TomlFields f(*tables[i], file, where);
    DestinationConfig d;
    DREDGE_RETURN_IF_ERROR(f.String("url", &d.url));
    if (d.url.empty())
      return Status::Usage(file + ": [[" + tier + ".destination]] number " + std::to_string(i + 1) +
                           " has no url: add url = \"s3://bucket/prefix\" or \"file:///path\"");
    for (const StoreOptionSpec* o : AllStoreOptions())
      DREDGE_RETURN_IF_ERROR(ReadStoreOption(f, *o, &d.store));
    DREDGE_RETURN_IF_ERROR(CheckDriverKeys(f, d));
    DREDGE_RETURN_IF_ERROR(f.Millis("abort_incomplete_after", &d.abort_incomplete_after_ms));
    DREDGE_RETURN_IF_ERROR(ReadObjectLock(f, file, where, &d.store.object_lock));
    DREDGE_RETURN_IF_ERROR(f.Finish());
    out->push_back(std::move(d));
  }
  return Status::Ok();
}

Result<std::string> FindConfigFile(const std::string& flag_path, const EnvMap& env,
                                   const std::string& cwd) {
  auto must_exist = [](const std::string& path, const std::string& how) -> Result<std::string> {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
      return Status::Usage("config file '" + path + "' (from " + how +
                           ") does not exist or is not a file: fix the path or drop " + how);
    return path;
  };
  if (!flag_path.empty()) return must_exist(flag_path, "--config");
  if (auto it = env.find("DREDGE_CONFIG"); it != env.end() && !it->second.empty())
    return must_exist(it->second, "DREDGE_CONFIG");
  std::error_code ec;
  fs::path local = fs::path(cwd) / "dredge.toml";
  if (fs::is_regular_file(local, ec)) return local.string();
  fs::path config_home;
  if (auto it = env.find("XDG_CONFIG_HOME"); it != env.end() && !it->second.empty())
    config_home = it->second;
  else if (auto home = env.find("HOME"); home != env.end() && !home->second.empty())
    config_home = fs::path(home->second) / ".config";
  if (!config_home.empty()) {
    fs::path user = config_home / "dredge" / "dredge.toml";
    if (fs::is_regular_file(user, ec)) return user.string();
  }
  return std::string();
}

Result<DredgeConfig> ParseConfigText(std::string_view text, const std::string& file_name) {
  DredgeConfig config;
  config.path = file_name;
  toml::table root;
  try {
    root = toml::parse(text, file_name);
  } catch (const toml::parse_error& e) {
    return Status::Usage(file_name + " line " + std::to_string(e.source().begin.line) +
                         ": not valid TOML: " + std::string(e.description()));
  }
  TomlFields top(root, file_name, "");
  for (const SectionSpec& section : Sections()) {
    DREDGE_ASSIGN_OR_RETURN(const toml::table* t, top.Table(section.name));
    if (t) DREDGE_RETURN_IF_ERROR(ParseSection(section, *t, file_name, &config));
  }
  DREDGE_RETURN_IF_ERROR(top.Finish());
  return config;
}

Result<DredgeConfig> LoadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::Io("cannot read config file '" + path + "': check it exists and is readable");
  std::stringstream buf;
  buf << in.rdbuf();
  DREDGE_ASSIGN_OR_RETURN(DredgeConfig config, ParseConfigText(buf.str(), path));
  struct stat st {};
  if (ConninfoHasPassword(config.db.conninfo) && ::stat(path.c_str(), &st) == 0 &&
      (st.st_mode & (S_IRGRP | S_IROTH))) {
    config.warnings.push_back("config file '" + path +
                              "' holds a database password ([db] conninfo) and is readable "
                              "by other users: run 'chmod 600 " +
                              path +
                              "', or move the password to ~/.pgpass or "
                              "PGPASSWORD");
  }
  return config;
}

Result<DredgeConfig> ResolveConfig(const std::string& config_flag, const EnvMap& env,
                                   const ConfigOverrides& flags) {
  DREDGE_ASSIGN_OR_RETURN(std::string path, FindConfigFile(config_flag, env));
  DredgeConfig config;
  if (!path.empty()) {
    DREDGE_ASSIGN_OR_RETURN(config, LoadConfigFile(path));
    if (!config.logging.dir.empty() && fs::path(config.logging.dir).is_relative())
      config.logging.dir =
          (fs::absolute(path).parent_path() / config.logging.dir).lexically_normal().string();
  }
  std::vector<std::string> warnings;
  DREDGE_ASSIGN_OR_RETURN(ConfigOverrides from_env, OverridesFromEnv(env, &warnings));
  ApplyOverrides(from_env, &config);
  ApplyOverrides(flags, &config);
  (void)ConninfoHasPassword(config.db.conninfo);  // registers an env/flag password too
  for (auto& w : warnings) config.warnings.push_back(std::move(w));
  if (config.logging.dir.empty()) config.logging.dir = DefaultLogDir(env);
  return config;
}

std::string DefaultLogDir(const EnvMap& env) {
  auto get = [&](const char* name) {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  if (std::string x = get("XDG_STATE_HOME"); !x.empty())
    return (fs::path(x) / "dredge" / "logs").string();
  if (std::string h = get("HOME"); !h.empty())
    return (fs::path(h) / ".local" / "state" / "dredge" / "logs").string();
  return "/tmp/dredge-" + std::to_string(::getuid()) + "/logs";
}

}  // namespace dredge
