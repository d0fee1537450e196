// `dredge restore db`: loads a table back from the chunks and manifests at --dest
// (engine/db/restorer.h).
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupRestoreDb(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
