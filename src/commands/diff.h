// `dredge diff A B [GLOB]... [--json] [--dest URL]`: what changed from snapshot A to snapshot B
// (each any selector of engine/files/snapshot_select.h: latest, an id, a unique prefix or the
// stamp), read from the two snapshot records alone (engine/files/snapshot_diff.h). One line per
// file, then a totals line:
//   + PATH (SIZE)                 added
//   - PATH (SIZE)                 removed
//   M PATH (OLD SIZE -> NEW SIZE) changed content
//   R OLD -> NEW (SIZE)           renamed: same content under a new path
// GLOBs limit the paths compared (a rename counts when both of its paths are selected).
// --json: {"ok", "from", "to", "added": [{path, size}], "removed": [...], "changed": [{path,
// old_size, new_size}], "renamed": [{from, to, size}], "totals": {added, removed, changed,
// renamed, unchanged}}. Exit 0 whether or not they differ; 1 when a snapshot cannot be read.
// (The database tier's diff is not implemented yet.)
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupDiff(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
