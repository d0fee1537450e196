// `dredge backup db`: one incremental (or, the first time, full) export of a PostgreSQL table
// into chunked JSON plus a manifest at --dest (engine/db/exporter.h).
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupBackupDb(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
