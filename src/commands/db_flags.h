// Flags the database commands share: --db CONNINFO with --statement-timeout/--lock-timeout.
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "common/status.h"
#include "engine/db/pg_conn.h"

namespace dredge {

// Adds --db (required when `required`), --statement-timeout and --lock-timeout.
void AddDbFlags(CLI::App& cmd, PgOptions* pg, bool required);

// "<n>ms" for PostgreSQL, "0" for 0 (a [db] timeout as the session setting).
std::string PgMillis(int64_t ms);

}  // namespace dredge
