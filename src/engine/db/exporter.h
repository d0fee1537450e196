// One `dredge backup db` run (docs/db-tier.md, docs/db-horizon.md), in three steps: gather
// (engine/db/backup_inputs.h: the store's listing and newest manifest, BEGIN of one REPEATABLE
// READ, READ ONLY transaction, its snapshot, the tables and their schemas), plan
// (engine/db/backup_plan.h: pure) and execute (here). The executor reads every table of the
// plan in that one snapshot (other connections and the helper that reads live keys import it),
// so the run is one point in time for all of them; per table, the rows the plan says (all of
// them, or those changed since `after`) streamed with COPY and cut into chunks that workers
// encode, compress, hash and upload in parallel; then its live keys; one manifest last (the
// plan's version), under a name never used before.
// Memory stays near (workers + 2) × 2 × chunk bytes whatever the table size.
// A run that fails leaves no manifest; its uploaded chunks are debris no manifest references.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/db/backup_inputs.h"
#include "engine/db/backup_plan.h"
#include "engine/db/pg_conn.h"
#include "store/object_store.h"

namespace dredge {

struct TableBackupResult {
  std::string table;  // "schema.table"
  std::string mode, full_reason, key_source;
  uint64_t rows = 0, chunks = 0, bytes = 0, live_keys = 0;
};

struct BackupResult {
  std::string manifest_key;
  std::string mode;         // full | incremental
  std::string full_reason;  // why a run is full
  uint64_t rows = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;
  uint64_t live_keys = 0;
  double seconds = 0;
  std::vector<TableBackupResult> tables;
  std::vector<NotBackedUp> not_backed_up;
};

// Gathers the inputs, plans and executes the plan. The run starts at the clock's current second.
Result<BackupResult> RunDbBackup(ObjectStore& store, const DbBackupOptions& opts);

// The dry run: gathers the inputs and plans, then rolls the transaction back. Reads the store
// and the database, writes to neither.
Result<DbBackupPlan> PlanDbBackupRun(ObjectStore& store, const DbBackupOptions& opts);

// Carries `plan` out: reads on `conn`, the connection its inputs were gathered on, in the run's
// transaction (still open; committed and closed here once every table is read), then makes the
// chunks durable and writes the manifest. `opts` gives the connection settings for the other
// connections, the encryption key and the progress; the plan everything else. `seconds` is the
// executor's own time (RunDbBackup's counts the gathering too).
Result<BackupResult> ExecuteDbBackup(ObjectStore& store, std::unique_ptr<PgConn> conn,
                                     const DbBackupPlan& plan, const DbBackupOptions& opts);

}  // namespace dredge
