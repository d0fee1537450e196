// `dredge manifests`: lists the database tier's restore points at --dest, oldest first.
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupManifests(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
