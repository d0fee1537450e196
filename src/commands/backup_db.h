// `dredge backup db [--db CONNINFO] [--table T] [--dest URL]... [--dry-run]`: one incremental
// (or, the first time, full) export of PostgreSQL tables into chunked JSON plus a manifest at
// each destination (engine/db/exporter.h). Settings not given as flags come from DREDGE_*
// variables and dredge.toml [db]. Each destination: tier lock, run record, metrics
// (ops/run_scope.h). --dry-run prints each destination's plan (commands/db_plan_report.h) and
// writes nothing there.
// Exit: 0 ok, 1 error, 2 usage, 3 some destinations failed, 5 another run holds the lock.
#pragma once

#include <optional>

#include "common/aead.h"

#include <string>

#include "cli/command.h"
#include "commands/run_setup.h"
#include "engine/db/table_selection.h"
#include "store/store_options.h"

namespace dredge {

Runner SetupBackupDb(CLI::App& cmd, const GlobalOptions& global);

struct DbBackupRequest {
  // Given as flags, in PostgreSQL's units ("5min"); empty = [db] statement_timeout/lock_timeout.
  std::string statement_timeout, lock_timeout;
  StoreOptions store_flags;
  std::string metrics_file;
  std::string abort_incomplete_after;    // --abort-incomplete-after; empty = config or 24h
  std::optional<EncryptionKey> encrypt;  // --encrypt-key-file / DREDGE_ENCRYPT_KEY_FILE
  bool quiet = false;                    // no progress line
  // Plan only (engine/db/backup_plan.h): no lock, lease, run record, chunk or manifest; the
  // summary gets "dry_run": true and "plan", printed as lines too unless `json`.
  bool dry_run = false;
  bool json = false;
};

// One backup of config.db to `dest`.
DestOutcome BackupDbTo(const DredgeConfig& config, const DestinationConfig& dest,
                       const DbBackupRequest& request);

// The tables [db] names: `tables` (a list or "*" with schemas/exclude_tables), else `table`.
TableSelection SelectionOf(const DbConfig& db);

}  // namespace dredge
