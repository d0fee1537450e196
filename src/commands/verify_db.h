// `dredge verify db`: checks every chunk against its manifest, and with --db compares the live
// table with the newest restorable state (engine/db/verifier.h). Exit 4 on damage or mismatch.
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupVerifyDb(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
