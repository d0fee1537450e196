#include "config/env_overrides.h"

#include <cstdlib>
#include <set>

#include "config/option_table.h"

extern char** environ;

namespace dredge {
namespace {

// The variables of the options table (config/option_table.h) and the few that are not settings.
const std::set<std::string>& KnownVariables() {
  static const auto* known = [] {
    auto* names = new std::set<std::string>{
        "DREDGE_CONFIG", "DREDGE_DEST", "DREDGE_FILES_DEST", "DREDGE_DB_DEST",
        // Set by the test harness (tests/CMakeLists.txt), not by users.
        "DREDGE_BIN", "DREDGE_SOURCE_DIR"};
    for (const auto& o : Options())
      if (*o.env) names->insert(o.env);
    return names;
  }();
  return *known;
}

std::vector<DestinationConfig> SplitDestinations(const std::string& value) {
  std::vector<DestinationConfig> out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    if (comma == std::string::npos) comma = value.size();
    std::string url = value.substr(start, comma - start);
    while (!url.empty() && url.front() == ' ') url.erase(url.begin());
    while (!url.empty() && url.back() == ' ') url.pop_back();
    start = comma + 1;
    if (url.empty()) continue;
    DestinationConfig d;
    d.url = url;
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

EnvMap CurrentEnvironment() {
  EnvMap env;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

Result<double> ParseFraction(const std::string& text, const std::string& what) {
  std::string s = text;
  bool percent = !s.empty() && s.back() == '%';
  if (percent) s.pop_back();
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || *end != '\0')
    return Status::Usage(what + " '" + text + "' is not a fraction: use e.g. 0.3 or 30%");
  if (percent) v /= 100;
  if (!(v > 0 && v <= 1))
    return Status::Usage(what + " '" + text + "' is outside (0, 1]: use e.g. 0.3 or 30%");
  return v;
}

Result<ConfigOverrides> OverridesFromEnv(const EnvMap& env, std::vector<std::string>* warnings) {
  ConfigOverrides o;
  DredgeConfig scratch;  // each value is read once here, so a bad one stops the run now
  for (const auto& [name, value] : env) {
    if (name.rfind("DREDGE_", 0) != 0) continue;
    if (name.rfind("DREDGE_TEST_", 0) == 0) continue;
    if (!KnownVariables().count(name)) {
      if (warnings)
        warnings->push_back("ignoring unknown environment variable " + name +
                            " (see docs/operations.md for the DREDGE_* variables)");
      continue;
    }
    if (name == "DREDGE_DEST") {
      o.dest = SplitDestinations(value);
    } else if (name == "DREDGE_FILES_DEST") {
      o.files_dest = SplitDestinations(value);
    } else if (name == "DREDGE_DB_DEST") {
      o.db_dest = SplitDestinations(value);
    } else if (const OptionSpec* row = FindOptionByEnv(name); row && row->read) {
      DREDGE_RETURN_IF_ERROR(ApplyEnvValue(*row, value, &scratch));
      o.settings.emplace_back(row, value);
    }
  }
  return o;
}

Status ApplyEnvValue(const OptionSpec& o, const std::string& value, DredgeConfig* c) {
  const std::string key = KeyOf(o);
  auto read = [&](toml::table t) {
    TomlFields f(t, std::string("environment variable ") + o.env, SectionOf(o));
    return o.read(f, c);
  };
  // A string first: paths, sizes, durations, rates and percentages are strings in TOML too.
  toml::table as_text;
  if (std::string_view(o.type) == "boolean") {
    if (value == "1" || value == "true" || value == "yes" || value == "on")
      as_text.insert(key, true);
    else if (value == "0" || value == "false" || value == "no" || value == "off")
      as_text.insert(key, false);
  } else {
    as_text.insert(key, value);
  }
  if (!as_text.empty() && read(as_text).ok()) return Status::Ok();
  // Then the value as a TOML literal: integers and numbers.
  try {
    if (read(toml::parse(key + " = " + value)).ok()) return Status::Ok();
  } catch (const toml::parse_error&) {  // not a literal either: the message below says why
  }
  return Status::Usage("environment variable " + std::string(o.env) + "='" + value +
                       "' is not valid for [" + SectionOf(o) + "] " + key + " (" + o.type +
                       "): fix or unset it");
}

void ApplyOverrides(const ConfigOverrides& o, DredgeConfig* c) {
  for (const auto& [row, value] : o.settings) (void)ApplyEnvValue(*row, value, c);  // checked
  if (!o.dest.empty()) {
    c->files.destinations = o.dest;
    c->db.destinations = o.dest;
  }
  if (!o.files_dest.empty()) c->files.destinations = o.files_dest;
  if (!o.db_dest.empty()) c->db.destinations = o.db_dest;
  if (o.files_source) c->files.source = *o.files_source;
  if (o.files_workers) c->files.workers = *o.files_workers;
  if (o.max_change) c->files.max_change = *o.max_change;
  if (o.db_conninfo) c->db.conninfo = *o.db_conninfo;
  if (o.db_table) c->db.table = *o.db_table;
  if (o.db_workers) c->db.workers = *o.db_workers;
  if (o.db_chunk_size) c->db.chunk_size = *o.db_chunk_size;
  if (o.db_chunk_bytes) c->db.chunk_bytes = *o.db_chunk_bytes;
  if (o.db_compress) c->db.compress = *o.db_compress;
  if (o.db_statement_timeout_ms) c->db.statement_timeout_ms = *o.db_statement_timeout_ms;
  if (o.db_lock_timeout_ms) c->db.lock_timeout_ms = *o.db_lock_timeout_ms;
  if (o.keep_last) c->retention.keep_last = *o.keep_last;
  if (o.keep_daily) c->retention.keep_daily = *o.keep_daily;
  if (o.keep_weekly) c->retention.keep_weekly = *o.keep_weekly;
  if (o.keep_monthly) c->retention.keep_monthly = *o.keep_monthly;
  if (o.log_dir) c->logging.dir = *o.log_dir;
  if (o.log_format) c->logging.format = *o.log_format;
  if (o.log_keep) c->logging.keep = *o.log_keep;
  if (o.bwlimit) c->limits.bwlimit = *o.bwlimit;
  if (o.tpslimit) c->limits.tpslimit = *o.tpslimit;
  if (o.nice) c->limits.nice = *o.nice ? LimitsConfig::Nice::kOn : LimitsConfig::Nice::kOff;
}

}  // namespace dredge
