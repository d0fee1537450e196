// `dredge verify files [--dest URL] [--source DIR | --snapshot SEL | --as-of TIME] [--deep]`:
// compares the store with the source or a snapshot (default: the newest; selectors as in
// engine/files/snapshot_select.h) (engine: engine/files/verify.h). Without --dest, the first
// configured files destination. Exit: 0 ok, 4 missing/different/corrupt objects (named), 1 error
// (including a destination where nothing dredge wrote is), 2 usage.
#pragma once

#include "cli/command.h"

namespace dredge {
Runner SetupVerifyFiles(CLI::App& cmd, const GlobalOptions& global);
}  // namespace dredge
