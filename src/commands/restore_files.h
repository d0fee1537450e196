// `dredge restore files --dest URL --target DIR [--snapshot ID | --as-of TIME] [...]`: restores a
// snapshot (the newest by default) into a directory (engine: engine/files/restore.h).
// Exit: 0 ok, 3 some files not restored (named: content missing, conflicts, refused keys),
// 1 error, 2 usage.
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupRestoreFiles(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
