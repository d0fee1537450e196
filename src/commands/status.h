// `dredge status [--dest URL]... [--tier files|db] [--max-age DURATION] [--json]`
// For each destination (the given ones, else the configured ones, else the embedded default)
// and tier: the last successful and last failed run (time, age, duration, counts, bytes, rows),
// the number of snapshots, manifests and chunks, and store totals. With --max-age, a tier whose
// newest good backup is older (or that never succeeded although it is configured there) makes
// the command exit 6 (stale), so monitoring can alert on it; a destination that cannot be read
// exits 1 (which wins, per the README's order). Read-only: takes no lock, writes nothing.
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupStatus(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
