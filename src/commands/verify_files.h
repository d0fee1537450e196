// `dredge verify files --dest URL [--source DIR] [--deep]`: compares the store with the source or
// the newest snapshot (engine: engine/files/verify.h). Exit: 0 ok, 4 missing/different/corrupt
// objects (named), 1 error, 2 usage.
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupVerifyFiles(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
