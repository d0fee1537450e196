#include "commands/db_flags.h"

#include <cstdio>
#include <regex>

#include "cli/option_flags.h"
#include "config/dredge_config.h"
namespace dredge {

void AddDbFlags(CLI::App& cmd, PgOptions* pg, bool required) {
  auto* db = cmd.add_option("--db", pg->conninfo,
                            "PostgreSQL connection: URI or key=value as libpq reads it "
                            "(PG* variables and ~/.pgpass apply; keep passwords out of it)");
  if (required) db->required();
  auto timeout = [](const std::string& v) {
    static const std::regex re("^[0-9]+ ?(us|ms|s|min|h|d)?$");
    return std::regex_match(v, re) ? std::string() : "use a number with us, ms, s, min, h or d";
  };
  // Unset, the timeouts are the table's defaults ([db] in dredge.toml for the commands that
  // read it), in PostgreSQL's units.
  pg->statement_timeout = PgMillis(DredgeConfig{}.db.statement_timeout_ms);
  pg->lock_timeout = PgMillis(DredgeConfig{}.db.lock_timeout_ms);
  AddSettingFlag(cmd, "db.statement_timeout", &pg->statement_timeout)->check(timeout);
  AddSettingFlag(cmd, "db.lock_timeout", &pg->lock_timeout)->check(timeout);
}

std::string PgMillis(int64_t ms) {
  if (ms <= 0) return "0";
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

}  // namespace dredge
