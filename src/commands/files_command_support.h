// Helpers shared by the files-tier commands (backup/restore/verify files, snapshots): the run
// log file, the --json printer and the source/target checks, so the four commands behave alike.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "common/status.h"

namespace dredge {

// Opens <log_dir>/<name>_<YYYYMMDD_HHMMSS>_<pid>.log for this run; a warning (not an error)
// when that is impossible, since the backup itself can still be done.
void OpenRunLog(const GlobalOptions& global, const std::string& name);

// Prints `j` as one line on stdout (invalid UTF-8 in names replaced, never a throw).
void PrintJson(const nlohmann::json& j);

// The directory as an absolute path, or Usage naming it when it is not a readable directory.
Result<std::string> ExistingDirectory(const std::string& path, const char* flag);

// Usage when workers is out of range.
Status CheckWorkers(int workers);

}  // namespace dredge
