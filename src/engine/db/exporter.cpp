#include "engine/db/exporter.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include "common/log.h"
#include "common/progress.h"
#include "common/time_util.h"
#include "engine/db/catalog.h"
#include "engine/db/chunk_pipeline.h"
#include "engine/db/export_workers.h"
#include "engine/db/table_export.h"
#include "formats/db_keys.h"

namespace dredge {
namespace {

// The rows total of the progress line, an estimate learned table by table: a table read whole
// adds the planner's row count (pg_class.reltuples) before it is read; a changed-rows read adds
// the rows it read once done (their number is unknown before without a second scan).
class RowProgress {
 public:
  explicit RowProgress(Progress* p) : p_(p) {
    if (!p_) return;
    p_->SetUnit("rows");
    p_->Start();
  }
  ~RowProgress() {
    if (p_) p_->Stop();
  }
  // The planner's row count of a table about to be read whole (0 when unknown). Tables are read
  // on several connections at once, so every call may come from another thread.
  uint64_t ExpectWholeTable(PgConn& conn, const TableRef& table) {
    if (!p_) return 0;
    auto r = conn.Query("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = " +
                        std::to_string(table.oid));
    uint64_t n = r.ok() && r->size() == 1 ? std::stoull(r->str(0, 0)) : 0;
    std::lock_guard lock(mu_);
    expected_ += n;
    p_->SetTotals(total_ + expected_, 0);
    return n;
  }
  // A table is done: its estimate (from ExpectWholeTable) gives way to the rows it read.
  void TableDone(uint64_t rows, uint64_t estimate) {
    if (!p_) return;
    std::lock_guard lock(mu_);
    total_ += rows;
    expected_ -= std::min(expected_, estimate);
    p_->SetTotals(std::max<uint64_t>(total_ + expected_, p_->files()), 0);
  }

 private:
  Progress* p_;
  std::mutex mu_;
  uint64_t total_ = 0, expected_ = 0;
};

RunExportContext MakeExportContext(ObjectStore& store, PgConn& conn, const DbBackupPlan& plan,
                                   const DbBackupOptions& opts) {
  RunExportContext ctx;
  ctx.store = &store;
  ctx.conn = &conn;
  ctx.pg = opts.pg;
  ctx.chunks.run = plan.members.run;
  ctx.chunks.run_unix_seconds = plan.start_secs;
  ctx.chunks.chunk_rows = plan.options.chunk_rows;
  ctx.chunks.chunk_bytes = plan.options.chunk_bytes;
  ctx.chunks.workers = plan.options.workers;
  ctx.chunks.zstd = plan.options.zstd;
  ctx.chunks.zstd_level = plan.options.zstd_level;
  ctx.chunks.encrypt = opts.encrypt;
  ctx.numbers = std::make_shared<std::atomic<uint64_t>>(plan.first_chunk_number);
  ctx.xmax = plan.snapshot.xmax;
  ctx.progress = opts.progress;
  return ctx;
}

// One table of the plan on the connection of `ctx`; `*m` starts as the run's members.
Status ExportOne(RunExportContext& ctx, const PlannedTable& t, RowProgress& rows, Manifest* m) {
  m->schema = t.schema;
  m->table = t.table;
  m->table_oid = t.ref.oid;
  m->full_reason = t.full_reason;
  m->mode = t.mode;
  m->after = t.after;
  if (m->schema.Keyless())
    log::Info("backup db: " + m->table +
              " has neither a primary key nor a unique index on NOT NULL columns: it is read "
              "whole on every run and restored whole");
  else if (m->mode == "full" && m->full_reason != "first run")  // a first run goes unsaid
    log::Info("backup db: " + m->table + " is read whole (" + m->full_reason + ")");
  log::Debug("backup db: reading " + m->table);
  uint64_t estimate = m->mode == "full" ? rows.ExpectWholeTable(*ctx.conn, t.ref) : 0;
  DREDGE_RETURN_IF_ERROR(ExportTable(ctx, t.ref, t.prev_max_key, m));
  rows.TableDone(m->rows, estimate);
  return Status::Ok();
}

// Every table of the plan, spread over the plan's connections that share the run's one
// snapshot (engine/db/export_workers.h); the entries in the plan's order.
Result<std::vector<Manifest>> ExportTables(RunExportContext& ctx, const DbBackupPlan& plan) {
  const ExportPlan& how = plan.connections;
  std::string snapshot_id;
  if (how.connections > 1) {
    DREDGE_ASSIGN_OR_RETURN(PgRows r, ctx.conn->Query("SELECT pg_export_snapshot()"));
    snapshot_id = r.str(0, 0);
    log::Info("backup db: " + std::to_string(plan.tables.size()) + " tables read on " +
              std::to_string(how.connections) + " connections sharing one snapshot");
  }
  std::vector<Manifest> out(plan.tables.size(), plan.members);
  RowProgress rows(ctx.progress);
  DREDGE_RETURN_IF_ERROR(ExportOnConnections(
      how, ctx, snapshot_id, plan.tables.size(),
      [&](RunExportContext& c, size_t i) { return ExportOne(c, plan.tables[i], rows, &out[i]); }));
  return out;
}

BackupResult ResultOf(const RunManifest& run) {
  BackupResult out;
  out.manifest_key = run.key;
  out.mode = run.mode();
  for (const auto& t : run.tables) {
    TableBackupResult r{t.table, t.mode,          t.full_reason, t.schema.key_source,
                        t.rows,  t.chunks.size(), t.bytes,       t.live_keys.count()};
    if (!t.full_reason.empty())
      out.full_reason += (out.full_reason.empty() ? "" : "; ") +
                         (run.tables.size() > 1 ? t.table + ": " : std::string()) + t.full_reason;
    out.rows += r.rows;
    out.chunks += r.chunks;
    out.bytes += r.bytes;
    out.live_keys += r.live_keys;
    out.tables.push_back(std::move(r));
  }
  out.not_backed_up = run.not_backed_up;
  return out;
}

// Under the first free name at or after max(now, floor_secs).
Status WriteManifest(ObjectStore& store, RunManifest& run, int64_t floor_secs) {
  for (int attempt = 0; attempt < 120; ++attempt) {
    int64_t now = NowUnixNanos() / 1000000000;
    int64_t t = std::max(now, floor_secs);
    std::string key = dbkeys::ManifestKey(t);
    auto st = store.Stat(key);
    if (st.ok()) {  // taken: wait for the next second
      floor_secs = t + 1;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    if (!st.status().Is(ErrorKind::kNotFound)) return st.status();
    run.id = *dbkeys::ManifestIdOfKey(key);
    run.key = key;
    for (auto& m : run.tables) {
      m.id = run.id;
      m.key = key;
      m.finished_at = FormatIsoUtc(now);
    }
    PutOptions po;
    po.if_absent = true;
    po.content_type = "application/json";
    auto put = PutString(store, key, RunManifestToJson(run), po);
    if (put.ok()) return Status::Ok();
    if (!put.status().Is(ErrorKind::kPreconditionFailed))
      return put.status().WithContext("cannot store manifest " + key);
    floor_secs = t + 1;
  }
  return Status::Io("could not find a free manifest name within two minutes");
}

}  // namespace

Result<BackupResult> ExecuteDbBackup(ObjectStore& store, std::unique_ptr<PgConn> conn,
                                     const DbBackupPlan& plan, const DbBackupOptions& opts) {
  auto t0 = std::chrono::steady_clock::now();
  for (const auto& n : plan.not_backed_up)
    log::Warn("backup db: " + n.name + " (" + n.kind + "): " + n.action);
  RunExportContext ctx = MakeExportContext(store, *conn, plan, opts);
  RunManifest run;
  DREDGE_ASSIGN_OR_RETURN(run.tables, ExportTables(ctx, plan));
  DREDGE_RETURN_IF_ERROR(CloseKeyConnection(ctx));
  DREDGE_RETURN_IF_ERROR(conn->Exec("COMMIT"));
  conn.reset();
  run.version = plan.manifest_version;
  run.not_backed_up = plan.not_backed_up;

  // The chunks were put with deferred durability: one sync makes them all durable before the
  // manifest names them (object_store.h D2).
  DREDGE_RETURN_IF_ERROR(store.Sync().WithContext("cannot make the chunks of this run durable"));
  log::Debug("backup db: writing the manifest");
  DREDGE_RETURN_IF_ERROR(WriteManifest(store, run, plan.manifest_floor_secs));
  BackupResult out = ResultOf(run);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

Result<BackupResult> RunDbBackup(ObjectStore& store, const DbBackupOptions& opts) {
  auto t0 = std::chrono::steady_clock::now();
  DREDGE_ASSIGN_OR_RETURN(GatheredDbBackup g,
                          GatherDbBackupInputs(store, opts, NowUnixNanos() / 1000000000));
  DbBackupPlan plan = PlanDbBackup(g.inputs);
  DREDGE_ASSIGN_OR_RETURN(BackupResult out, ExecuteDbBackup(store, std::move(g.conn), plan, opts));
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

Result<DbBackupPlan> PlanDbBackupRun(ObjectStore& store, const DbBackupOptions& opts) {
  DREDGE_ASSIGN_OR_RETURN(GatheredDbBackup g,
                          GatherDbBackupInputs(store, opts, NowUnixNanos() / 1000000000));
  DbBackupPlan plan = PlanDbBackup(g.inputs);
  DREDGE_RETURN_IF_ERROR(g.conn->Exec("ROLLBACK"));
  return plan;
}

}  // namespace dredge
