// `dredge version`: prints the version and the versions of the libraries in use.
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupVersion(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
