#include "config/env_overrides.h"

#include <cstdlib>
#include <set>

#include "common/time_util.h"
#include "config/byte_size.h"
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

Status BadValue(const std::string& name, const std::string& value, const std::string& want) {
  return Status::Usage("environment variable " + name + "='" + value + "' is not " + want +
                       ": fix or unset it");
}

Result<int64_t> ParseInt(const std::string& name, const std::string& value, int64_t min,
                         int64_t max) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(value.c_str(), &end, 10);
  if (value.empty() || *end != '\0' || errno != 0 || v < min || v > max)
    return BadValue(name, value,
                    "an integer from " + std::to_string(min) + " to " + std::to_string(max));
  return static_cast<int64_t>(v);
}

Result<int64_t> ParseMillis(const std::string& name, const std::string& value) {
  if (!value.empty() && value.find_first_not_of("0123456789") == std::string::npos)
    return ParseInt(name, value, 0, INT64_MAX / 2);
  std::string s = value;
  bool ms = s.size() > 2 && s.compare(s.size() - 2, 2, "ms") == 0;
  if (ms) s = s.substr(0, s.size() - 2) + "s";
  auto secs = ParseDuration(s);
  if (!secs.ok()) return BadValue(name, value, "a duration such as 500ms, 30s or 5m");
  return ms ? *secs : *secs * 1000;
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
  for (const auto& entry : env) {
    // Plain references, not a structured binding: lambdas below capture them, which clang
    // before 16 (the fuzz build's compiler) rejects for bindings.
    const std::string& name = entry.first;
    const std::string& value = entry.second;
    if (name.rfind("DREDGE_", 0) != 0) continue;
    if (name.rfind("DREDGE_TEST_", 0) == 0) continue;
    if (!KnownVariables().count(name)) {
      if (warnings)
        warnings->push_back("ignoring unknown environment variable " + name +
                            " (see docs/operations.md for the DREDGE_* variables)");
      continue;
    }
    auto integer = [&](int64_t min, int64_t max) { return ParseInt(name, value, min, max); };
    if (name == "DREDGE_DEST") {
      o.dest = SplitDestinations(value);
    } else if (name == "DREDGE_FILES_DEST") {
      o.files_dest = SplitDestinations(value);
    } else if (name == "DREDGE_DB_DEST") {
      o.db_dest = SplitDestinations(value);
    } else if (name == "DREDGE_FILES_SOURCE") {
      o.files_source = value;
    } else if (name == "DREDGE_FILES_WORKERS") {
      DREDGE_ASSIGN_OR_RETURN(auto v, integer(1, 1024));
      o.files_workers = static_cast<int>(v);
    } else if (name == "DREDGE_MAX_CHANGE") {
      DREDGE_ASSIGN_OR_RETURN(o.max_change, ParseFraction(value, "environment variable " + name));
    } else if (name == "DREDGE_DB_CONNINFO") {
      o.db_conninfo = value;
    } else if (name == "DREDGE_DB_TABLE") {
      o.db_table = value;
    } else if (name == "DREDGE_DB_WORKERS") {
      DREDGE_ASSIGN_OR_RETURN(auto v, integer(1, 1024));
      o.db_workers = static_cast<int>(v);
    } else if (name == "DREDGE_DB_CHUNK_SIZE") {
      DREDGE_ASSIGN_OR_RETURN(o.db_chunk_size, integer(1, 100000000));
    } else if (name == "DREDGE_DB_CHUNK_BYTES") {
      DREDGE_ASSIGN_OR_RETURN(o.db_chunk_bytes,
                              ParseByteSize(value, "environment variable " + name));
    } else if (name == "DREDGE_DB_COMPRESS") {
      if (value != "zstd" && value != "none") return BadValue(name, value, "zstd or none");
      o.db_compress = value;
    } else if (name == "DREDGE_DB_STATEMENT_TIMEOUT") {
      DREDGE_ASSIGN_OR_RETURN(o.db_statement_timeout_ms, ParseMillis(name, value));
    } else if (name == "DREDGE_DB_LOCK_TIMEOUT") {
      DREDGE_ASSIGN_OR_RETURN(o.db_lock_timeout_ms, ParseMillis(name, value));
    } else if (name == "DREDGE_KEEP_LAST" || name == "DREDGE_KEEP_DAILY" ||
               name == "DREDGE_KEEP_WEEKLY" || name == "DREDGE_KEEP_MONTHLY") {
      DREDGE_ASSIGN_OR_RETURN(auto v, integer(0, 100000));
      int n = static_cast<int>(v);
      if (name == "DREDGE_KEEP_LAST") o.keep_last = n;
      if (name == "DREDGE_KEEP_DAILY") o.keep_daily = n;
      if (name == "DREDGE_KEEP_WEEKLY") o.keep_weekly = n;
      if (name == "DREDGE_KEEP_MONTHLY") o.keep_monthly = n;
    } else if (name == "DREDGE_LOG_DIR") {
      o.log_dir = value;
    } else if (name == "DREDGE_LOG_FORMAT") {
      if (value != "text" && value != "json") return BadValue(name, value, "text or json");
      o.log_format = value;
    } else if (name == "DREDGE_LOG_KEEP") {
      DREDGE_ASSIGN_OR_RETURN(auto v, integer(0, 100000));
      o.log_keep = static_cast<int>(v);
    } else if (name == "DREDGE_BWLIMIT") {
      DREDGE_ASSIGN_OR_RETURN(o.bwlimit, ParseByteRate(value, "environment variable " + name));
    } else if (name == "DREDGE_TPSLIMIT") {
      char* end = nullptr;
      double v = std::strtod(value.c_str(), &end);
      if (value.empty() || *end != '\0' || !(v >= 0) || v > 1e6)
        return BadValue(name, value, "a number of requests per second (0 = no limit)");
      o.tpslimit = v;
    } else if (name == "DREDGE_NICE") {
      if (value == "1" || value == "true" || value == "yes" || value == "on")
        o.nice = true;
      else if (value == "0" || value == "false" || value == "no" || value == "off")
        o.nice = false;
      else
        return BadValue(name, value, "1 or 0");
    }
  }
  return o;
}

void ApplyOverrides(const ConfigOverrides& o, DredgeConfig* c) {
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
