// Helpers shared by the files-tier commands (backup/restore/verify files, snapshots): the
// source/target checks, so the four commands behave alike. (Run logs and the
// rest of the per-run setup are in commands/run_setup.h, shared with the database tier.)
#pragma once

#include <string>

#include "cli/command.h"
#include "cli/output.h"
#include "common/status.h"

namespace dredge {

// The directory as an absolute path, or Usage naming it when it is not a readable directory.
Result<std::string> ExistingDirectory(const std::string& path, const char* flag);

// Usage when workers is out of range.
Status CheckWorkers(int workers);

}  // namespace dredge
