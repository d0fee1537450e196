// One table's rows inside a `backup db` run (engine/db/exporter.h): COPY of every row (full) or
// of the rows changed since the previous horizon (incremental, docs/db-horizon.md) into a
// chunk pipeline, and the table's live keys: taken from the rows on a full read, read in
// parallel on a helper connection that imports the run's snapshot on an incremental one, none
// for a table without a key.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/progress.h"
#include "common/status.h"
#include "engine/db/catalog.h"
#include "engine/db/chunk_pipeline.h"
#include "engine/db/pg_conn.h"
#include "formats/manifest.h"
#include "store/object_store.h"

namespace dredge {

// What every table of one run shares.
struct RunExportContext {
  ObjectStore* store = nullptr;
  PgConn* conn = nullptr;      // inside the run's REPEATABLE READ transaction
  PgOptions pg;                // to open the helper connection
  ChunkPipelineConfig chunks;  // run-wide settings; columns/keys/table/first_number per table
  uint64_t next_number = 1;    // the next chunk number (advanced past each table's chunks)
  std::string xmax;            // pg_snapshot_xmax of the run's snapshot
  // The helper connection, opened at the first incremental table, in a transaction that
  // imported the run's snapshot; CloseKeyConnection commits it.
  std::unique_ptr<PgConn> key_conn;
  Progress* progress = nullptr;  // counts each row read (unit "rows"); may be null
};

// Fills m->chunks, rows, bytes, live_keys and max_key (m->schema, mode and after are set by
// the caller; `prev_max_key` is the previous entry's). Errors name the table.
Status ExportTable(RunExportContext& ctx, const TableRef& table,
                   std::optional<int64_t> prev_max_key, Manifest* m);

Status CloseKeyConnection(RunExportContext& ctx);

}  // namespace dredge
