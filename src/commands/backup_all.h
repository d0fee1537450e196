// `dredge backup` (no tier): the single line a crontab needs. Runs every configured tier
// ([files] and/or [db] in dredge.toml; with neither, it is a usage error) to every destination
// of that tier, each an independent backup with its own state index, lock and run record. A
// destination that fails does not stop the others. One summary at the end (a table, or with
// --json one object: {"ok", "exit_code", "runs": [{tier, destination, ok, error?, ...}]}).
// Exit: combined over all runs (common/exit_codes.h; an error next to a success is 3, partial).
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupBackupAll(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
