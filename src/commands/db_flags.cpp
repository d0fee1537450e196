#include "commands/db_flags.h"

#include <cstdio>
#include <regex>

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
  cmd.add_option("--statement-timeout", pg->statement_timeout,
                 "PostgreSQL statement_timeout for dredge's session (0 = none)")
      ->check(timeout)
      ->capture_default_str();
  cmd.add_option("--lock-timeout", pg->lock_timeout,
                 "PostgreSQL lock_timeout: give up rather than queue behind DDL")
      ->check(timeout)
      ->capture_default_str();
}

void PrintJsonLine(const std::string& json_text) {
  std::fwrite(json_text.data(), 1, json_text.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace dredge
