// One table's rows inside a `backup db` run (engine/db/exporter.h): COPY of every row (full) or
// of the rows changed since the previous horizon (incremental, docs/db-horizon.md) into a
// chunk pipeline, and the table's live keys: taken from the rows on a full read, read in
// parallel on a helper connection that imports the run's snapshot on an incremental one, none
// for a table without a key.
#pragma once

#include <atomic>
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

// What the tables read on one connection share (one context per connection of the run).
struct RunExportContext {
  ObjectStore* store = nullptr;
  PgConn* conn = nullptr;      // in a REPEATABLE READ transaction on the run's snapshot
  PgOptions pg;                // to open the helper connection
  ChunkPipelineConfig chunks;  // run-wide settings; columns/keys/table per table
  // The run's chunk numbers, shared by every connection's pipelines (never repeated).
  std::shared_ptr<std::atomic<uint64_t>> numbers;
  std::string xmax;  // pg_snapshot_xmax of the run's snapshot
  // The helper connection, opened at the first incremental table, in a transaction that
  // imported the run's snapshot; CloseKeyConnection commits it.
  std::unique_ptr<PgConn> key_conn;
  Progress* progress = nullptr;  // counts each row read (unit "rows"); may be null
};

// A connection in a REPEATABLE READ, READ ONLY transaction that imported `snapshot_id`
// (pg_export_snapshot of the run's transaction, which must stay open meanwhile): it sees
// exactly what the run's own connection sees.
Result<std::unique_ptr<PgConn>> ConnectInSnapshot(const PgOptions& pg,
                                                  const std::string& snapshot_id);

// Fills m->chunks, rows, bytes, live_keys and max_key (m->schema, mode and after are set by
// the caller; `prev_max_key` is the previous entry's). Errors name the table.
Status ExportTable(RunExportContext& ctx, const TableRef& table,
                   std::optional<int64_t> prev_max_key, Manifest* m);

Status CloseKeyConnection(RunExportContext& ctx);

}  // namespace dredge
