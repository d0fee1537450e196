// `dredge restore files --target DIR [--dest URL] [--snapshot ID | --as-of TIME] [...]`: restores
// a snapshot (the newest by default) into a directory (engine: engine/files/restore.h). Without
// --dest, the first configured files destination. Holds the files lock of the destination while
// it reads (commands/run_setup.h, LockForRestore).
// Exit: 0 ok, 3 some files not restored (named: content missing, conflicts, refused keys),
// 1 error, 2 usage, 5 another run holds the lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/command.h"
#include "commands/run_setup.h"
#include "store/store_options.h"

namespace dredge {

Runner SetupRestoreFiles(CLI::App& cmd, const GlobalOptions& global);

struct FilesRestoreRequest {
  std::string target;
  std::string snapshot;          // selector (engine/files/snapshot_select.h); empty = newest
  std::optional<int64_t> as_of;  // unix nanos
  std::vector<std::string> includes, excludes;
  bool overwrite = false;
  bool dry_run = false;  // decide and report each file; create, fetch and lock nothing
  // Refuse a target directory that exists and is not empty unless `overwrite` (the whole-system
  // restore's rule; `restore files` itself restores into non-empty directories file by file).
  bool require_empty_target = false;
  int workers = 16;
  bool quiet = false;
  StoreOptions store_flags;
};

DestOutcome RestoreFilesFrom(const DestinationConfig& dest, const FilesRestoreRequest& request);

}  // namespace dredge
