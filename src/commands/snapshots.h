// `dredge snapshots --dest URL [--json]`: lists the files-tier snapshots of a destination, oldest
// first (id, UTC time, size of the record).
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupSnapshots(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
