#include "engine/db/exporter.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <mutex>
#include <thread>

#include "common/decimal.h"
#include "common/log.h"
#include "common/progress.h"
#include "common/time_util.h"
#include "engine/db/catalog.h"
#include "engine/db/chunk_pipeline.h"
#include "engine/db/export_workers.h"
#include "engine/db/horizon.h"
#include "engine/db/manifest_store.h"
#include "engine/db/table_export.h"
#include "formats/copy_text.h"
#include "formats/db_keys.h"

namespace dredge {
namespace {

struct Snapshot {
  std::string text, xmin, xmax, at;
  std::string database;
  int64_t server_version = 0;
  std::optional<std::string> system_identifier;
};

Result<Snapshot> TakeSnapshot(PgConn& conn) {
  // The first statement of the transaction fixes its snapshot: this one records it.
  DREDGE_ASSIGN_OR_RETURN(
      PgRows r,
      conn.Query("SELECT s::text, pg_snapshot_xmin(s)::text, pg_snapshot_xmax(s)::text, "
                 "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
                 "current_database(), current_setting('server_version_num'), "
                 "has_function_privilege('pg_control_system()', 'EXECUTE') "
                 "FROM pg_current_snapshot() AS s"));
  Snapshot s;
  s.text = r.str(0, 0);
  s.xmin = r.str(0, 1);
  s.xmax = r.str(0, 2);
  s.at = r.str(0, 3);
  s.database = r.str(0, 4);
  s.server_version = std::stoll(r.str(0, 5));
  if (r.str(0, 6) == "t") {
    DREDGE_ASSIGN_OR_RETURN(PgRows id,
                            conn.Query("SELECT system_identifier::text FROM pg_control_system()"));
    if (id.size() == 1) s.system_identifier = id.at(0, 0);
  }
  return s;
}

bool SameColumns(const TableSchema& a, const TableSchema& b) {
  auto x = a.ChunkColumns(), y = b.ChunkColumns();
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (x[i].name != y[i].name || x[i].type != y[i].type) return false;
  return a.pk_columns == b.pk_columns;
}

// Why this table must be read whole, or "" when it may continue from `prev_entry`, its entry
// in the previous run's manifest `prev`.
std::string FullReason(const std::optional<RunManifest>& prev, const Manifest* prev_entry,
                       const TableSchema& schema, int64_t table_oid, const Snapshot& snap) {
  if (schema.Keyless()) return "no key";
  if (!prev) return "first run";
  if (!prev_entry) return "table added";
  if (prev_entry->table_oid != table_oid) return "table replaced";
  if (prev_entry->system_identifier && snap.system_identifier &&
      *prev_entry->system_identifier != *snap.system_identifier)
    return "cluster changed";
  if (DecimalOrZero(snap.xmax) < DecimalOrZero(prev_entry->horizon)) return "cluster changed";
  if (!SameColumns(prev_entry->schema, schema)) return "schema changed";
  return "";
}

// The members every table entry of this run shares.
Manifest RunMembers(const Snapshot& snap, int64_t start_secs,
                    const std::optional<RunManifest>& prev, const DbBackupOptions& opts) {
  Manifest m;
  m.tool = std::string("dredge ") + DREDGE_VERSION;
  m.started_at = FormatIsoUtc(start_secs);
  m.run = FormatCompactUtc(start_secs);
  m.database = snap.database;
  m.server_version = snap.server_version;
  m.system_identifier = snap.system_identifier;
  m.snapshot_at = snap.at;
  m.snapshot = snap.text;
  m.horizon = snap.xmin;
  if (prev) m.previous = prev->key;
  if (opts.encrypt) m.encryption_key_id = opts.encrypt->id;
  return m;
}

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

RunExportContext MakeExportContext(ObjectStore& store, PgConn& conn, const DbBackupOptions& opts,
                                   const Manifest& members, int64_t start_secs,
                                   uint64_t first_number, const Snapshot& snap) {
  RunExportContext ctx;
  ctx.store = &store;
  ctx.conn = &conn;
  ctx.pg = opts.pg;
  ctx.chunks.run = members.run;
  ctx.chunks.run_unix_seconds = start_secs;
  ctx.chunks.chunk_rows = opts.chunk_rows;
  ctx.chunks.chunk_bytes = opts.chunk_bytes;
  ctx.chunks.workers = opts.workers;
  ctx.chunks.zstd = opts.zstd;
  ctx.chunks.zstd_level = opts.zstd_level;
  ctx.chunks.encrypt = opts.encrypt;
  ctx.numbers = std::make_shared<std::atomic<uint64_t>>(first_number);
  ctx.xmax = snap.xmax;
  ctx.progress = opts.progress;
  return ctx;
}

// One table of the plan on the connection of `ctx`; `*m` starts as the run's members.
Status ExportOne(RunExportContext& ctx, const TableRef& table, const Snapshot& snap,
                 const std::optional<RunManifest>& prev, RowProgress& rows, Manifest* m) {
  DREDGE_ASSIGN_OR_RETURN(m->schema, ReadTableSchema(*ctx.conn, table));
  m->table = m->schema.QualifiedName();
  m->table_oid = table.oid;
  const Manifest* prev_entry = prev ? prev->Find(m->table) : nullptr;
  m->full_reason = FullReason(prev, prev_entry, m->schema, table.oid, snap);
  m->mode = m->full_reason.empty() ? "incremental" : "full";
  if (m->mode == "incremental") m->after = prev->horizon;
  if (m->schema.Keyless())
    log::Info("backup db: " + m->table +
              " has neither a primary key nor a unique index on NOT NULL columns: it is read "
              "whole on every run and restored whole");
  else if (m->mode == "full" && prev)
    log::Info("backup db: " + m->table + " is read whole (" + m->full_reason + ")");
  log::Debug("backup db: reading " + m->table);
  uint64_t estimate = m->mode == "full" ? rows.ExpectWholeTable(*ctx.conn, table) : 0;
  DREDGE_RETURN_IF_ERROR(
      ExportTable(ctx, table, prev_entry ? prev_entry->max_key : std::nullopt, m));
  rows.TableDone(m->rows, estimate);
  return Status::Ok();
}

// Every table of the plan, spread over connections that share the run's one snapshot
// (engine/db/export_workers.h); the entries in the plan's order.
Result<std::vector<Manifest>> ExportTables(RunExportContext& ctx, const TablePlan& plan,
                                           const Manifest& members, const Snapshot& snap,
                                           const std::optional<RunManifest>& prev, int workers) {
  ExportPlan how = PlanExport(plan.tables.size(), workers);
  std::string snapshot_id;
  if (how.connections > 1) {
    DREDGE_ASSIGN_OR_RETURN(PgRows r, ctx.conn->Query("SELECT pg_export_snapshot()"));
    snapshot_id = r.str(0, 0);
    log::Info("backup db: " + std::to_string(plan.tables.size()) + " tables read on " +
              std::to_string(how.connections) + " connections sharing one snapshot");
  }
  std::vector<Manifest> out(plan.tables.size(), members);
  RowProgress rows(ctx.progress);
  DREDGE_RETURN_IF_ERROR(ExportOnConnections(
      how, ctx, snapshot_id, plan.tables.size(), [&](RunExportContext& c, size_t i) {
        return ExportOne(c, plan.tables[i], snap, prev, rows, &out[i]);
      }));
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

Status WriteManifest(ObjectStore& store, RunManifest& run, const std::optional<RunManifest>& prev) {
  int64_t floor_secs = 0;
  if (prev) {
    auto stamp = dbkeys::ManifestStamp(prev->key);
    if (stamp) floor_secs = ParseCompactUtc(*stamp).value() + 1;
  }
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

Result<BackupResult> RunDbBackup(ObjectStore& store, const DbBackupOptions& opts) {
  auto t0 = std::chrono::steady_clock::now();
  int64_t start_secs = NowUnixNanos() / 1000000000;
  DREDGE_ASSIGN_OR_RETURN(PrefixListing listing, ListPrefix(store));
  DREDGE_ASSIGN_OR_RETURN(std::optional<RunManifest> prev, NewestManifest(store, listing));

  DREDGE_ASSIGN_OR_RETURN(auto conn, PgConn::Connect(opts.pg));
  DREDGE_RETURN_IF_ERROR(conn->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
  DREDGE_ASSIGN_OR_RETURN(Snapshot snap, TakeSnapshot(*conn));
  DREDGE_ASSIGN_OR_RETURN(TablePlan plan, PlanTables(*conn, opts.selection));
  for (const auto& n : plan.not_backed_up)
    log::Warn("backup db: " + n.name + " (" + n.kind + "): " + n.action);

  Manifest members = RunMembers(snap, start_secs, prev, opts);
  RunExportContext ctx = MakeExportContext(store, *conn, opts, members, start_secs,
                                           listing.max_chunk_number + 1, snap);
  RunManifest run;
  DREDGE_ASSIGN_OR_RETURN(run.tables, ExportTables(ctx, plan, members, snap, prev, opts.workers));
  DREDGE_RETURN_IF_ERROR(CloseKeyConnection(ctx));
  DREDGE_RETURN_IF_ERROR(conn->Exec("COMMIT"));
  conn.reset();
  run.version = FitsVersion1(run.tables) ? 1 : 2;
  run.not_backed_up = plan.not_backed_up;
  for (auto& t : run.tables) t.version = run.version;

  // The chunks were put with deferred durability: one sync makes them all durable before the
  // manifest names them (object_store.h D2).
  DREDGE_RETURN_IF_ERROR(store.Sync().WithContext("cannot make the chunks of this run durable"));
  log::Debug("backup db: writing the manifest");
  DREDGE_RETURN_IF_ERROR(WriteManifest(store, run, prev));
  BackupResult out = ResultOf(run);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace dredge
