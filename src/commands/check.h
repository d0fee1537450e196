// `dredge check [--dest URL]... [--db CONNINFO --table T] [--probe-prune]`
// Connectivity and permission probe (ops/probe.h), one line per check: OK or FAIL, what was
// found, and for a FAIL what to do. Destinations: the given ones, else the configured ones,
// else the embedded default. The database is checked when --db is given or [db] is configured.
// Exit 0 when everything passed, 1 when any check failed.
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupCheck(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
