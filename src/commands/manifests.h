// `dredge manifests [--dest URL] [--json]`: lists the database tier's restore points, oldest
// first: id, mode, time (UTC, when the run finished), rows the restore point holds, chunks and
// rows this run wrote (inserted or updated: "changed"), table. Without --dest, the first
// configured db destination; a destination without manifests is an error (exit 1) that says
// whether anything dredge wrote is there (commands/read_dest.h). --json keeps the older fields
// (rows = rows this run wrote, live_keys = rows of the restore point, snapshot_at, bytes, …) and
// adds time and changed (= rows).
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupManifests(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
