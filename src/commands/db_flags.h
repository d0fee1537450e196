// Flags the database commands share: --db CONNINFO with --statement-timeout/--lock-timeout,
// and byte sizes such as "64M".
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "common/status.h"
#include "engine/db/pg_conn.h"

namespace dredge {

// Adds --db (required when `required`), --statement-timeout and --lock-timeout.
void AddDbFlags(CLI::App& cmd, PgOptions* pg, bool required);

// "64M", "1G", "512k", "1000" (bytes; K/M/G/T are powers of 1024). Usage on anything else.
Result<uint64_t> ParseByteSize(const std::string& text);

// Prints `json_text` (one object) to stdout with a newline.
void PrintJsonLine(const std::string& json_text);

}  // namespace dredge
