// `dredge restore db [--dest URL] [--db CONNINFO] [--as-of TIME | --manifest ID] [...]`: loads a
// table back from the chunks and manifests at the destination (engine/db/restorer.h). Without
// --dest/--db: the first configured db destination and [db] conninfo. Holds the db lock of the
// destination while it reads (commands/run_setup.h, LockForRestore).
// Exit: 0 ok, 1 error (including a non-empty target table without --replace/--merge), 2 usage,
// 5 another run holds the lock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cli/command.h"
#include "commands/run_setup.h"
#include "store/store_options.h"

namespace dredge {

Runner SetupRestoreDb(CLI::App& cmd, const GlobalOptions& global);

// Everything the whole-system restore and drill set; the per-row filters stay in the command.
struct DbRestoreRequest {
  std::string conninfo;          // the database to load into
  std::string into;              // table; empty = the backed-up table's name
  std::optional<int64_t> as_of;  // unix nanos
  std::string manifest;          // id or key; empty = by as_of, else the newest
  bool replace = false;          // empty a non-empty target first
  bool dry_run = false;          // plan and report; no database, no lease
  int workers = 4;
  std::string statement_timeout = "0", lock_timeout = "10s";
  StoreOptions store_flags;
  bool quiet = false;  // no progress line
};

DestOutcome RestoreDbFrom(const DestinationConfig& dest, const DbRestoreRequest& request);

}  // namespace dredge
