// What one `backup db` run will do, decided before it reads a row (issue #16 step 2): a pure
// function of what the run read first (the destination's newest manifest and highest chunk
// number, the snapshot's facts, the tables PlanTables chose with their schemas read in the
// run's snapshot, the options and the run's start time) to a plan value. The executor
// (engine/db/exporter.h) carries the plan out; `backup db --dry-run` prints it and stops.
// Nothing here touches PostgreSQL or a store.
//
// Per table the plan says how it is read (docs/db-horizon.md): whole ("full", with the reason)
// or only the rows changed since the previous run's horizon ("incremental", `after` = that
// horizon). A table is read whole when it has no key, on the first run, when it is new to the
// set, replaced (another oid), from another cluster (system identifier differs, or the
// snapshot's xmax is below the previous horizon), or its chunk columns (names, types) or key
// columns changed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/db/catalog.h"
#include "engine/db/export_workers.h"
#include "engine/db/table_selection.h"
#include "formats/manifest.h"

namespace dredge {

// What the run's first statement recorded about its snapshot (xid8 values as decimals).
struct DbSnapshotFacts {
  std::string text;  // pg_current_snapshot() as text: "xmin:xmax:xip,…"
  std::string xmin, xmax;
  std::string at;  // ISO 8601 UTC, the transaction's now()
  std::string database;
  int64_t server_version = 0;                    // server_version_num
  std::optional<std::string> system_identifier;  // when the role may read pg_control_system()
};

// The run's settings that the plan records (the key itself stays with the caller).
struct DbPlanOptions {
  int workers = 4;
  uint64_t chunk_rows = 1000;
  uint64_t chunk_bytes = 64ull << 20;
  bool zstd = false;
  int zstd_level = 3;
  std::optional<std::string> encryption_key_id;  // set when chunks are sealed
};

struct DbBackupInputs {
  std::optional<RunManifest> prev;  // the destination's newest dredge manifest, key filled
  uint64_t max_chunk_number = 0;    // the highest chunk number listed (0: none)
  DbSnapshotFacts snapshot;
  TablePlan tables;                  // PlanTables' choice, in its order
  std::vector<TableSchema> schemas;  // schemas[i] is tables.tables[i]'s, read in the snapshot
  DbPlanOptions options;
  int64_t start_secs = 0;  // the run's start (Unix seconds): its manifests' `run`, `started_at`
};

struct PlannedTable {
  TableRef ref;       // oid and quoted name, for the SQL that reads it
  std::string table;  // "schema.table" as the manifest records it
  TableSchema schema;
  std::string mode;                     // "full" | "incremental"
  std::string full_reason;              // why full; "" when incremental
  std::optional<std::string> after;     // incremental: the previous run's horizon
  std::optional<int64_t> prev_max_key;  // the previous entry's max_key (kept on a full read too)
  const std::string& key_source() const { return schema.key_source; }
};

struct DbBackupPlan {
  std::vector<PlannedTable> tables;  // in the order of inputs.tables
  std::vector<NotBackedUp> not_backed_up;
  uint64_t first_chunk_number = 1;  // after every chunk the destination holds
  ExportPlan connections;           // PlanExport(tables, workers)
  int64_t manifest_version = 1;     // 1 when FitsVersion1(the run's entries), else 2
  // The members every table entry shares (tool, run, started_at, source, snapshot, horizon,
  // previous, encryption_key_id, version); id, key and finished_at are set at write time.
  Manifest members;
  // The manifest takes the first free name at or after max(now, this) (Unix seconds): one
  // second past the previous manifest's name, so names only grow.
  int64_t manifest_floor_secs = 0;
  DbSnapshotFacts snapshot;  // the run's snapshot (its xmax widens row xmins to xid8)
  DbPlanOptions options;
  int64_t start_secs = 0;

  // "full" when every table is read whole, else "incremental" (RunManifest::mode's rule).
  std::string mode() const;
  // The manifest key the run would take if written at `now_secs` and that name were free.
  std::string ManifestKeyAt(int64_t now_secs) const;
};

// The plan of the run. Precondition: inputs.schemas has one entry per table of inputs.tables
// (GatherDbBackupInputs, engine/db/backup_inputs.h, reads exactly those).
DbBackupPlan PlanDbBackup(const DbBackupInputs& inputs);

// Why `schema` (oid `table_oid`) must be read whole, or "" when it may continue from
// `prev_entry`, its entry in the previous run's manifest `prev` (null when the table is new).
std::string FullReason(const std::optional<RunManifest>& prev, const Manifest* prev_entry,
                       const TableSchema& schema, int64_t table_oid, const DbSnapshotFacts& snap);

}  // namespace dredge
