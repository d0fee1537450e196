// `dredge prune [--dest URL]... [--tier files|db] [--keep-last N] [--keep-daily N]
//  [--keep-weekly N] [--keep-monthly N] [--dry-run] [--workers N] [--json]`
//
// Applies the retention policy (engine/retention.h; flags override DREDGE_KEEP_* which
// override [retention] in dredge.toml) to both tiers: files snapshots (engine/files/prune.h)
// and database manifests (engine/db/prune.h). Each kept restore point stays restorable;
// whatever only removed points needed goes, and so does aborted runs' debris.
// Without --dest it prunes each configured tier on each of its configured destinations (with
// no config: both tiers on the embedded default); with --dest, both tiers (or --tier) there.
// Each tier takes its run lock, so a prune never overlaps a backup of the same tier and
// destination; --dry-run takes none and deletes nothing.
// Human output on stderr; with --json one object on stdout:
//   {"ok", "dry_run", "destinations": [{"dest", "files": {...}, "db": {...}}]}
// and, when there is one destination, its "dest", "files" and "db" at the top level too.
// Exit 0; 2 for a policy that keeps nothing; 3 when some deletions failed or a destination
// cannot be reached (the others are still pruned); 4 when a kept chain is damaged (nothing is
// deleted from it); 5 when a backup of the destination holds the tier's lock.
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupPrune(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
