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
// The report always comes back; its status is Ok, Mismatch (copy and records or source disagree),
// Corrupt (a chunk failed its sha256), or the error that stopped the drill.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/progress.h"
#include "common/status.h"
#include "engine/db/manifest_store.h"
#include "engine/db/pg_conn.h"
#include "engine/drill/drill_check.h"
#include "engine/drill/row_compare.h"
#include "store/object_store.h"

namespace dredge {

struct DbDrillOptions {
  PgOptions source;                  // the live table's database
  std::optional<PgOptions> scratch;  // --scratch-db; nullopt: the source database
  std::string table;                 // live table to compare; empty: the manifest's table
  uint64_t sample_rows = 1000;
  uint64_t seed = 0;
  bool keep = false;
  int workers = 4;
  // Which manifest to restore (engine/db/manifest_select.h); empty: the newest dredge manifest.
  RestorePointQuery point;
  // The scratch restore (chunks loaded, out of the manifest's), then "drill db: rows compared"
  // (rows looked up in both directions, out of the samples).
  Progress* progress = nullptr;
};

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

DbDrillReport RunDbDrill(ObjectStore& store, const DbDrillOptions& opts);

}  // namespace dredge
