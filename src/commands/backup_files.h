// `dredge backup files --source DIR --dest URL [...]`: mirrors a directory to a store, one
// object per file, then writes a snapshot (engine: engine/files/backup.h).
// Exit: 0 ok, 3 some files failed (named), 1 damage guard or store errors, 2 usage.
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupBackupFiles(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
