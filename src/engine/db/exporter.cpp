#include "engine/db/exporter.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <thread>

#include "common/log.h"
#include "common/time_util.h"
#include "engine/db/catalog.h"
#include "engine/db/chunk_pipeline.h"
#include "engine/db/horizon.h"
#include "engine/db/manifest_store.h"
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

int64_t Dec(const std::string& s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// Why this run must be full, or "" when it may continue from `prev`.
std::string FullReason(const std::optional<Manifest>& prev, const TableSchema& schema,
                       int64_t table_oid, const Snapshot& snap) {
  if (!prev) return "first run";
  if (prev->table_oid != table_oid) return "table replaced";
  if (prev->system_identifier && snap.system_identifier &&
      *prev->system_identifier != *snap.system_identifier)
    return "cluster changed";
  if (Dec(snap.xmax) < Dec(prev->horizon)) return "cluster changed";
  if (!SameColumns(prev->schema, schema)) return "schema changed";
  return "";
}

std::string ColumnList(PgConn& conn, const std::vector<ColumnSpec>& cols) {
  std::string out;
  for (size_t i = 0; i < cols.size(); ++i) out += (i ? ", " : "") + conn.QuoteIdent(cols[i].name);
  return out;
}

Status WriteManifest(ObjectStore& store, Manifest& m, const std::optional<Manifest>& prev) {
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
    m.id = *dbkeys::ManifestIdOfKey(key);
    m.key = key;
    m.finished_at = FormatIsoUtc(now);
    PutOptions po;
    po.if_absent = true;
    po.content_type = "application/json";
    auto put = PutString(store, key, ManifestToJson(m), po);
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
  DREDGE_ASSIGN_OR_RETURN(std::optional<Manifest> prev, NewestManifest(store, listing));

  DREDGE_ASSIGN_OR_RETURN(auto conn, PgConn::Connect(opts.pg));
  DREDGE_RETURN_IF_ERROR(conn->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
  DREDGE_ASSIGN_OR_RETURN(Snapshot snap, TakeSnapshot(*conn));
  DREDGE_ASSIGN_OR_RETURN(TableRef table, ResolveTable(*conn, opts.table));
  DREDGE_ASSIGN_OR_RETURN(TableSchema schema, ReadTableSchema(*conn, table));
  if (prev && prev->table != schema.QualifiedName())
    return Status::Usage("the destination holds backups of table " + prev->table + ", not " +
                         schema.QualifiedName() + ": use one destination prefix per table");

  Manifest m;
  m.tool = std::string("dredge ") + DREDGE_VERSION;
  m.started_at = FormatIsoUtc(start_secs);
  m.run = FormatCompactUtc(start_secs);
  m.database = snap.database;
  m.table = schema.QualifiedName();
  m.table_oid = table.oid;
  m.server_version = snap.server_version;
  m.system_identifier = snap.system_identifier;
  m.snapshot_at = snap.at;
  m.snapshot = snap.text;
  m.horizon = snap.xmin;
  m.full_reason = FullReason(prev, schema, table.oid, snap);
  m.mode = m.full_reason.empty() ? "incremental" : "full";
  if (prev) m.previous = prev->key;
  if (m.mode == "incremental") m.after = prev->horizon;
  if (m.mode == "full" && prev) log::Info("backup db: this run is full (" + m.full_reason + ")");

  auto columns = schema.ChunkColumns();
  auto key_idx = schema.KeyIndexes();
  ChunkPipelineConfig cfg;
  cfg.columns = columns;
  cfg.key_columns = key_idx;
  cfg.table = m.table;
  cfg.run = m.run;
  cfg.run_unix_seconds = start_secs;
  cfg.first_number = listing.max_chunk_number + 1;
  cfg.chunk_rows = opts.chunk_rows;
  cfg.chunk_bytes = opts.chunk_bytes;
  cfg.workers = opts.workers;
  cfg.zstd = opts.zstd;
  cfg.zstd_level = opts.zstd_level;
  cfg.encrypt = opts.encrypt;
  if (opts.encrypt) m.encryption_key_id = opts.encrypt->id;
  ChunkPipeline pipeline(store, cfg);

  std::string sql = "COPY (SELECT " + ColumnList(*conn, columns) + " FROM " + table.quoted;
  if (m.mode == "incremental") sql += " WHERE " + RowChangedSinceSql(Dec(*m.after), Dec(snap.xmax));
  sql += ") TO STDOUT";
  log::Debug("backup db: reading " + std::string(m.mode == "full" ? "all rows" : "changed rows"));
  bool int_key = schema.HasIntegerKey();
  std::vector<int64_t> ints;
  std::vector<std::string> texts;
  // A full run reads every row of the snapshot, so its rows' keys are the live keys: collected
  // here instead of scanning the table a second time (docs/BENCHMARKS.md).
  bool keys_from_rows = m.mode == "full";
  std::vector<std::string_view> fields;
  std::string joined;
  auto take_key = [&](std::string_view line) {
    copytext::SplitLine(line, &fields);
    if (fields.size() != columns.size()) return;  // the pipeline reports the bad row
    if (int_key) {
      int64_t v = 0;
      std::from_chars(fields[key_idx[0]].data(),
                      fields[key_idx[0]].data() + fields[key_idx[0]].size(), v);
      ints.push_back(v);
      return;
    }
    joined.clear();
    for (size_t j = 0; j < key_idx.size(); ++j) {
      if (j) joined.push_back('\t');
      joined.append(fields[key_idx[j]]);
    }
    texts.push_back(joined);
  };
  // An incremental run reads the live keys on a second connection that imports this
  // transaction's snapshot, in parallel with the changed rows: the same keys as reading them
  // afterwards on this connection, without adding the second scan's time.
  std::unique_ptr<PgConn> key_conn;
  Status keys_read;
  std::jthread key_reader;
  if (!keys_from_rows) {
    DREDGE_ASSIGN_OR_RETURN(PgRows exported, conn->Query("SELECT pg_export_snapshot()"));
    DREDGE_ASSIGN_OR_RETURN(key_conn, PgConn::Connect(opts.pg));
    DREDGE_RETURN_IF_ERROR(key_conn->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
    DREDGE_RETURN_IF_ERROR(
        key_conn->Exec("SET TRANSACTION SNAPSHOT " + key_conn->QuoteLiteral(exported.str(0, 0))));
    std::string key_cols;
    for (size_t i : key_idx)
      key_cols += (key_cols.empty() ? "" : ", ") + conn->QuoteIdent(columns[i].name);
    std::string key_sql = "COPY (SELECT " + key_cols + " FROM " + table.quoted + ") TO STDOUT";
    key_reader = std::jthread([&, key_sql] {
      keys_read = key_conn->CopyOut(key_sql, [&](std::string_view line) {
        if (int_key)
          ints.push_back(Dec(std::string(line)));
        else
          texts.emplace_back(line);
        return Status::Ok();
      });
      if (keys_read.ok()) keys_read = key_conn->Exec("COMMIT");
    });
  }
  uint64_t rows = 0;
  Status copied = conn->CopyOut(sql, [&](std::string_view line) {
    ++rows;
    if (keys_from_rows) take_key(line);
    return pipeline.AddRow(line);
  });
  auto chunks = pipeline.Finish();
  DREDGE_RETURN_IF_ERROR(copied.WithContext("cannot read table " + m.table));
  if (!chunks.ok()) return chunks.status();

  if (key_reader.joinable()) {
    log::Debug("backup db: " + std::to_string(rows) + " rows stored; waiting for the live keys");
    key_reader.join();
    DREDGE_RETURN_IF_ERROR(keys_read.WithContext("cannot read the live keys of " + m.table));
    key_conn.reset();
  }
  DREDGE_RETURN_IF_ERROR(conn->Exec("COMMIT"));
  conn.reset();

  m.live_keys = int_key ? LiveKeySet::OfInts(RangesOfKeys(std::move(ints)))
                        : LiveKeySet::OfTexts(std::move(texts));
  m.schema = schema;
  m.chunks = std::move(*chunks);
  m.rows = rows;
  for (const auto& c : m.chunks) m.bytes += c.size;
  if (int_key) {
    // Ids ever backed up, earlier chains included: restore sets the sequence past them all.
    std::optional<int64_t> mk = prev ? prev->max_key : std::nullopt;
    for (const auto& c : m.chunks)
      if (!c.key_max.empty()) mk = std::max(mk.value_or(INT64_MIN), Dec(c.key_max[0]));
    m.max_key = mk;
  }
  // The chunks were put with deferred durability: one sync makes them all durable before the
  // manifest names them (object_store.h D2).
  DREDGE_RETURN_IF_ERROR(store.Sync().WithContext("cannot make the chunks of this run durable"));
  log::Debug("backup db: writing the manifest");
  DREDGE_RETURN_IF_ERROR(WriteManifest(store, m, prev));

  BackupResult out;
  out.manifest_key = m.key;
  out.mode = m.mode;
  out.full_reason = m.full_reason;
  out.rows = m.rows;
  out.chunks = m.chunks.size();
  out.bytes = m.bytes;
  out.live_keys = m.live_keys.count();
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace dredge
