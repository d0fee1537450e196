// The database half of `dredge drill`: restores the newest manifest into a scratch table through
// the real restore engine (engine/db/restorer.h: every chunk's sha256 is checked on the way),
// then checks
//  - "db restore": the restore succeeded and loaded exactly the manifest's live-key count, which
//    the scratch table's count(*) confirms;
//  - "db source": the copy against the live table, both directions, as engine/drill/row_compare.h
//    describes (rows changed since the backup are reported, not failed).
// The scratch table lives in a schema dredge_drill_<random hex> that the drill creates and drops
// (DROP SCHEMA … CASCADE, also on failure, unless `keep`), in the source database or in the one
// `scratch` names. A role without CREATE on that database is refused before anything is done,
// with a message naming --scratch-db (Usage).
// In two steps, so that `drill --dry-run` can stop after the first:
//  - LoadDbDrillPlan reads: it chooses the manifest (opts.point, else the newest dredge
//    manifest), and plans (engine/drill/db_drill_plan.h); it connects to no database;
//  - ExecuteDbDrill carries a plan out (scratch schema, restores, checks, drop) and reports.
// RunDbDrill is the two in a row, with a scratch schema name from the system's random device.
// The report always comes back; its status is Ok, Mismatch (copy and records or source disagree),
// Corrupt (a chunk failed its sha256), or the error that stopped the drill.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/drill/db_drill_plan.h"
#include "engine/drill/drill_check.h"
#include "engine/drill/row_compare.h"
#include "store/object_store.h"

namespace dredge {

struct DbDrillReport {
  std::string manifest;       // key of the manifest restored
  std::string source_table;   // as compared
  std::string scratch_table;  // "dredge_drill_…"."table"
  bool scratch_removed = false;
  uint64_t rows = 0;       // restored
  uint64_t live_keys = 0;  // the manifest's
  RowCompareResult rows_compared;
  std::vector<DrillCheck> checks;
  Status status;
};

// The chosen manifest's plan; NotFound when the store holds no dredge manifest, Usage for a
// --table it does not hold, the store's error when it cannot be read.
Result<DbDrillPlan> LoadDbDrillPlan(ObjectStore& store, const DbDrillOptions& opts,
                                    uint64_t scratch_random);

// Carries `plan` out (opts: the databases, workers and progress; the rest is in the plan).
DbDrillReport ExecuteDbDrill(ObjectStore& store, const DbDrillPlan& plan,
                             const DbDrillOptions& opts);

DbDrillReport RunDbDrill(ObjectStore& store, const DbDrillOptions& opts);

}  // namespace dredge
