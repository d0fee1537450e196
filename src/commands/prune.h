// `dredge prune --dest URL [--keep-last N] [--keep-daily N] [--keep-weekly N] [--keep-monthly N]
//  [--dry-run] [--workers N] [--json]`: retires the restore points the policy does not keep and
// deletes what only they needed (engine/files/prune.h; the rules are in engine/retention.h).
// Human output on stderr; with --json one object on stdout. Exit 0, 2 for a policy that keeps
// nothing, 3 when some deletions failed (the retiring snapshots then stay for the next prune),
// 5 when a files backup of the destination holds the run lock (a real prune takes the files
// tier's lock, so the two never overlap; --dry-run takes none).
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupPrune(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
