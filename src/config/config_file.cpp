#include "config/config_file.h"

#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/log.h"
#include "config/toml_fields.h"

namespace dredge {
namespace {

namespace fs = std::filesystem;

Status ReadDestinations(TomlFields& parent, const std::string& file, const std::string& tier,
                        std::vector<DestinationConfig>* out) {
  DREDGE_ASSIGN_OR_RETURN(auto tables, parent.TableArray("destination"));
  out->clear();
  for (size_t i = 0; i < tables.size(); ++i) {
    TomlFields f(*tables[i], file, tier + ".destination[" + std::to_string(i + 1) + "]");
    DestinationConfig d;
    DREDGE_RETURN_IF_ERROR(f.String("url", &d.url));
    if (d.url.empty())
      return Status::Usage(file + ": [[" + tier + ".destination]] number " + std::to_string(i + 1) +
                           " has no url: add url = \"s3://bucket/prefix\" or \"file:///path\"");
    DREDGE_RETURN_IF_ERROR(f.String("endpoint", &d.endpoint));
    DREDGE_RETURN_IF_ERROR(f.String("region", &d.region));
    DREDGE_RETURN_IF_ERROR(f.String("profile", &d.profile));
    DREDGE_RETURN_IF_ERROR(f.Choice("sse", &d.sse, {"", "AES256", "aws:kms"}));
    DREDGE_RETURN_IF_ERROR(f.String("sse_kms_key_id", &d.sse_kms_key_id));
    DREDGE_RETURN_IF_ERROR(
        f.Choice("storage_class", &d.storage_class,
                 {"", "STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING"}));
    DREDGE_RETURN_IF_ERROR(f.Bool("path_style", &d.path_style));
    DREDGE_RETURN_IF_ERROR(f.Millis("abort_incomplete_after", &d.abort_incomplete_after_ms));
    DREDGE_RETURN_IF_ERROR(f.Finish());
    out->push_back(std::move(d));
  }
  return Status::Ok();
}

Status ReadFiles(const toml::table& t, const std::string& file, FilesConfig* c) {
  TomlFields f(t, file, "files");
  c->configured = true;
  DREDGE_RETURN_IF_ERROR(f.String("source", &c->source));
  DREDGE_RETURN_IF_ERROR(f.StringList("include", &c->include));
  DREDGE_RETURN_IF_ERROR(f.StringList("exclude", &c->exclude));
  DREDGE_RETURN_IF_ERROR(f.Int("workers", &c->workers, 1, 1024));
  if (const toml::node* n = t.get("max_change"); n && n->is_string()) {
    auto v = ParseFraction(n->as_string()->get(), f.Where(*n, "max_change"));
    if (!v.ok()) return v.status();
    c->max_change = *v;
    std::string ignored;
    DREDGE_RETURN_IF_ERROR(f.String("max_change", &ignored));  // marks the key known
  } else {
    DREDGE_RETURN_IF_ERROR(f.Number("max_change", &c->max_change, 0.0, 1.0));
  }
  DREDGE_RETURN_IF_ERROR(ReadDestinations(f, file, "files", &c->destinations));
  return f.Finish();
}

// `tables` is a list of names or "*"; `table` and `tables` exclude each other.
Status ReadDbTables(const toml::table& t, const std::string& file, TomlFields& f, DbConfig* c) {
  if (t.get("table") && t.get("tables"))
    return Status::Usage(file +
                         ": [db] has both table and tables: keep one (table = \"x\" is "
                         "the same as tables = [\"x\"])");
  if (const toml::node* n = t.get("tables"); n && n->is_string()) {
    std::string all;
    DREDGE_RETURN_IF_ERROR(f.String("tables", &all));
    if (all != "*")
      return Status::Usage(file +
                           ": [db] tables must be a list of table names or \"*\" (every "
                           "table of [db] schemas), not \"" +
                           all + "\"");
    c->all_tables = true;
  } else {
    DREDGE_RETURN_IF_ERROR(f.StringList("tables", &c->tables));
  }
  DREDGE_RETURN_IF_ERROR(f.StringList("schemas", &c->schemas));
  DREDGE_RETURN_IF_ERROR(f.StringList("exclude_tables", &c->exclude_tables));
  if ((t.get("schemas") || t.get("exclude_tables")) && !c->all_tables)
    return Status::Usage(file + ": [db] schemas and exclude_tables go with tables = \"*\"");
  return Status::Ok();
}

Status ReadDb(const toml::table& t, const std::string& file, DbConfig* c) {
  TomlFields f(t, file, "db");
  c->configured = true;
  DREDGE_RETURN_IF_ERROR(f.String("conninfo", &c->conninfo));
  DREDGE_RETURN_IF_ERROR(f.String("table", &c->table));
  DREDGE_RETURN_IF_ERROR(ReadDbTables(t, file, f, c));
  DREDGE_RETURN_IF_ERROR(f.Int("chunk_size", &c->chunk_size, 1, 100000000));
  DREDGE_RETURN_IF_ERROR(f.Size("chunk_bytes", &c->chunk_bytes));
  DREDGE_RETURN_IF_ERROR(f.Int("workers", &c->workers, 1, 1024));
  if (const toml::node* n = t.get("compress"); n && n->is_boolean()) {
    bool on = true;
    DREDGE_RETURN_IF_ERROR(f.Bool("compress", &on));
    c->compress = on ? "zstd" : "none";
  } else {
    DREDGE_RETURN_IF_ERROR(f.Choice("compress", &c->compress, {"zstd", "none"}));
  }
  DREDGE_RETURN_IF_ERROR(f.Millis("statement_timeout", &c->statement_timeout_ms));
  DREDGE_RETURN_IF_ERROR(f.Millis("lock_timeout", &c->lock_timeout_ms));
  DREDGE_RETURN_IF_ERROR(f.String("encrypt_key_file", &c->encrypt_key_file));
  DREDGE_RETURN_IF_ERROR(ReadDestinations(f, file, "db", &c->destinations));
  return f.Finish();
}

Status ReadRetention(const toml::table& t, const std::string& file, RetentionConfig* c) {
  TomlFields f(t, file, "retention");
  DREDGE_RETURN_IF_ERROR(f.Int("keep_last", &c->keep_last, 0, 100000));
  DREDGE_RETURN_IF_ERROR(f.Int("keep_daily", &c->keep_daily, 0, 100000));
  DREDGE_RETURN_IF_ERROR(f.Int("keep_weekly", &c->keep_weekly, 0, 100000));
  DREDGE_RETURN_IF_ERROR(f.Int("keep_monthly", &c->keep_monthly, 0, 100000));
  return f.Finish();
}

Status ReadLogging(const toml::table& t, const std::string& file, LoggingConfig* c) {
  TomlFields f(t, file, "logging");
  DREDGE_RETURN_IF_ERROR(f.String("dir", &c->dir));
  DREDGE_RETURN_IF_ERROR(f.Choice("format", &c->format, {"text", "json"}));
  DREDGE_RETURN_IF_ERROR(f.Int("keep", &c->keep, 0, 100000));
  return f.Finish();
}

Status ReadLimits(const toml::table& t, const std::string& file, LimitsConfig* c) {
  TomlFields f(t, file, "limits");
  DREDGE_RETURN_IF_ERROR(f.Rate("bwlimit", &c->bwlimit));
  DREDGE_RETURN_IF_ERROR(f.Number("tpslimit", &c->tpslimit, 0.0, 1e6));
  if (t.get("nice")) {
    bool on = false;
    DREDGE_RETURN_IF_ERROR(f.Bool("nice", &on));
    c->nice = on ? LimitsConfig::Nice::kOn : LimitsConfig::Nice::kOff;
  }
  return f.Finish();
}

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

}  // namespace

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
  DREDGE_ASSIGN_OR_RETURN(const toml::table* files, top.Table("files"));
  if (files) DREDGE_RETURN_IF_ERROR(ReadFiles(*files, file_name, &config.files));
  DREDGE_ASSIGN_OR_RETURN(const toml::table* db, top.Table("db"));
  if (db) DREDGE_RETURN_IF_ERROR(ReadDb(*db, file_name, &config.db));
  DREDGE_ASSIGN_OR_RETURN(const toml::table* retention, top.Table("retention"));
  if (retention) DREDGE_RETURN_IF_ERROR(ReadRetention(*retention, file_name, &config.retention));
  DREDGE_ASSIGN_OR_RETURN(const toml::table* logging, top.Table("logging"));
  if (logging) DREDGE_RETURN_IF_ERROR(ReadLogging(*logging, file_name, &config.logging));
  DREDGE_ASSIGN_OR_RETURN(const toml::table* limits, top.Table("limits"));
  if (limits) DREDGE_RETURN_IF_ERROR(ReadLimits(*limits, file_name, &config.limits));
  DREDGE_ASSIGN_OR_RETURN(const toml::table* hooks, top.Table("hooks"));
  if (hooks) DREDGE_RETURN_IF_ERROR(ReadHooksConfig(*hooks, file_name, &config.hooks));
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
