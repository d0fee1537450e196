// `dredge backup files [--source DIR] [--dest URL]... [...]`: mirrors a directory to each
// destination (one object per file, then a snapshot; engine: engine/files/backup.h). Settings
// not given as flags come from DREDGE_* variables and dredge.toml [files], so with a config the
// command needs no flags. Each destination gets an independent backup with its own state index,
// under the tier lock, with a run record (ops/run_scope.h).
// Exit: 0 ok, 3 some files or destinations failed (named), 1 damage guard or store errors,
// 2 usage, 5 another run holds the lock.
#pragma once

#include <string>

#include "cli/command.h"
#include "commands/run_setup.h"
#include "store/store_options.h"

namespace dredge {

Runner SetupBackupFiles(CLI::App& cmd, const GlobalOptions& global);

// What `backup files` and `backup` (all tiers) pass besides the configuration.
struct FilesBackupRequest {
  std::string state;  // state index file; empty = per-destination default
  bool force = false;
  bool dry_run = false;
  bool quiet = false;
  StoreOptions store_flags;  // store flags given on the command line (win over the config)
  std::string metrics_file;
  std::string abort_incomplete_after;  // --abort-incomplete-after; empty = config or 24h
};

// One backup of config.files to `dest` (lock, run record, metrics included).
DestOutcome BackupFilesTo(const DredgeConfig& config, const DestinationConfig& dest,
                          const FilesBackupRequest& request);

}  // namespace dredge
