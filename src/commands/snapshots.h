// `dredge snapshots [--dest URL] [--json]`: lists the files-tier snapshots of a destination,
// oldest first: id, UTC time, host, files, bytes, and files changed since the snapshot before
// (engine/files/snapshot_diff.h; the first counts all its files). Without --dest, the first
// configured files destination. A destination without snapshots is an error (exit 1) that says
// whether anything dredge wrote is there at all (commands/read_dest.h).
// --json: {"ok", "dest", "snapshots": [{"id", "time", "host", "files", "bytes", "changed"}]}.
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupSnapshots(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
