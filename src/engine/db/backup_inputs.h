// What a `backup db` run reads before it decides anything (engine/db/backup_plan.h): the
// destination's listing and newest manifest, then, on the run's own connection, BEGIN (one
// REPEATABLE READ, READ ONLY transaction for the whole run), the snapshot's facts (the
// transaction's first statement, which fixes its snapshot), the tables to back up (PlanTables)
// and each one's schema, read in that snapshot. The transaction stays open: the executor
// (engine/db/exporter.h) reads the rows in it, a dry run rolls it back. Reads only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "common/aead.h"
#include "common/progress.h"
#include "common/status.h"
#include "engine/db/backup_plan.h"
#include "engine/db/pg_conn.h"
#include "engine/db/table_selection.h"
#include "store/object_store.h"

namespace dredge {

struct DbBackupOptions {
  PgOptions pg;
  TableSelection selection;
  DbPlanOptions settings;                // workers, chunk sizes, compression (key id: below)
  std::optional<EncryptionKey> encrypt;  // seal chunks (--encrypt-key-file)
  // When set: rows read, out of an estimated total (planner statistics for tables read whole).
  Progress* progress = nullptr;
};

// The settings the plan records: opts.settings with the encryption key's id (not the key).
DbPlanOptions PlanOptionsOf(const DbBackupOptions& opts);

struct GatheredDbBackup {
  std::unique_ptr<PgConn> conn;  // in the run's transaction, still open
  DbBackupInputs inputs;
};

// `start_secs` is the run's start (the injected clock). Errors: the store's listing or newest
// manifest unreadable, the connection or a catalog query failing, and PlanTables' NotFound
// (a named relation missing) and Usage (nothing left to back up).
Result<GatheredDbBackup> GatherDbBackupInputs(ObjectStore& store, const DbBackupOptions& opts,
                                              int64_t start_secs);

}  // namespace dredge
