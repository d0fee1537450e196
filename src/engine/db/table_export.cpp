#include "engine/db/table_export.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include "common/decimal.h"
#include "common/log.h"
#include "engine/db/horizon.h"
#include "formats/copy_text.h"

namespace dredge {
namespace {

std::string ColumnList(const PgConn& conn, const std::vector<ColumnSpec>& cols,
                       const std::vector<size_t>& which) {
  std::string out;
  for (size_t i : which) out += (out.empty() ? "" : ", ") + conn.QuoteIdent(cols[i].name);
  return out;
}

std::vector<size_t> AllIndexes(size_t n) {
  std::vector<size_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

// The keys of one table as LiveKeySet wants them. Integer keys are kept as ranges while they
// arrive (rows come in storage order, mostly runs of consecutive keys), merged whenever the
// list doubles: memory follows the number of gaps, not of rows.
struct KeyCollector {
  bool int_key = false;
  std::vector<IntRange> ranges;
  size_t merged_size = 1024;
  std::vector<std::string> texts;

  void AddInt(int64_t v) {
    if (!ranges.empty() && ranges.back().second != INT64_MAX && v == ranges.back().second + 1) {
      ranges.back().second = v;
      return;
    }
    ranges.emplace_back(v, v);
    if (ranges.size() >= 2 * merged_size) {
      ranges = NormalizeRanges(std::move(ranges));
      merged_size = std::max<size_t>(1024, ranges.size());
    }
  }
  void AddFields(const std::vector<std::string_view>& fields, const std::vector<size_t>& idx) {
    if (int_key) {
      AddInt(DecimalOrZero(fields[idx[0]]));
      return;
    }
    std::string joined;
    for (size_t j = 0; j < idx.size(); ++j) {
      if (j) joined.push_back('\t');
      joined.append(fields[idx[j]]);
    }
    texts.push_back(std::move(joined));
  }
  void AddLine(std::string_view line) {
    if (int_key)
      AddInt(DecimalOrZero(line));
    else
      texts.emplace_back(line);
  }
  LiveKeySet Take() {
    return int_key ? LiveKeySet::OfInts(NormalizeRanges(std::move(ranges)))
                   : LiveKeySet::OfTexts(std::move(texts));
  }
};

Status OpenKeyConnection(RunExportContext& ctx) {
  if (ctx.key_conn) return Status::Ok();
  DREDGE_ASSIGN_OR_RETURN(PgRows exported, ctx.conn->Query("SELECT pg_export_snapshot()"));
  DREDGE_ASSIGN_OR_RETURN(ctx.key_conn, ConnectInSnapshot(ctx.pg, exported.str(0, 0)));
  return Status::Ok();
}

std::optional<int64_t> MaxKey(const Manifest& m, std::optional<int64_t> prev_max_key) {
  // Ids ever backed up, earlier chains included: restore sets the sequence past them all.
  std::optional<int64_t> mk = prev_max_key;
  for (const auto& c : m.chunks)
    if (!c.key_max.empty()) mk = std::max(mk.value_or(INT64_MIN), DecimalOrZero(c.key_max[0]));
  return mk;
}

}  // namespace

Status ExportTable(RunExportContext& ctx, const TableRef& table,
                   std::optional<int64_t> prev_max_key, Manifest* m) {
  auto columns = m->schema.ChunkColumns();
  auto key_idx = m->schema.KeyIndexes();
  bool keyless = m->schema.Keyless(), full = m->mode == "full";
  ChunkPipelineConfig cfg = ctx.chunks;
  cfg.columns = columns;
  cfg.key_columns = key_idx;
  cfg.table = m->table;
  cfg.numbers = ctx.numbers.get();
  ChunkPipeline pipeline(*ctx.store, cfg);

  std::string sql = "COPY (SELECT " + ColumnList(*ctx.conn, columns, AllIndexes(columns.size())) +
                    " FROM " + table.quoted;
  if (!full)
    sql += " WHERE " + RowChangedSinceSql(DecimalOrZero(*m->after), DecimalOrZero(ctx.xmax));
  sql += ") TO STDOUT";
  KeyCollector keys;
  keys.int_key = m->schema.HasIntegerKey();
  // A full read sees every row of the snapshot, so its rows' keys are the live keys. An
  // incremental one reads them on the helper connection in parallel with the changed rows.
  Status keys_read;
  std::jthread key_reader;
  if (!full) {
    DREDGE_RETURN_IF_ERROR(OpenKeyConnection(ctx));
    std::string key_sql = "COPY (SELECT " + ColumnList(*ctx.conn, columns, key_idx) + " FROM " +
                          table.quoted + ") TO STDOUT";
    key_reader = std::jthread([&, key_sql] {
      keys_read = ctx.key_conn->CopyOut(key_sql, [&](std::string_view line) {
        keys.AddLine(line);
        return Status::Ok();
      });
    });
  }
  std::vector<std::string_view> fields;
  Status copied = ctx.conn->CopyOut(sql, [&](std::string_view line) {
    ++m->rows;
    if (ctx.progress) ctx.progress->AddFiles(1);
    if (full && !keyless) {
      copytext::SplitLine(line, &fields);
      if (fields.size() == columns.size()) keys.AddFields(fields, key_idx);
    }
    return pipeline.AddRow(line);
  });
  auto chunks = pipeline.Finish();
  if (key_reader.joinable()) key_reader.join();
  DREDGE_RETURN_IF_ERROR(copied.WithContext("cannot read table " + m->table));
  if (!chunks.ok()) return chunks.status();
  DREDGE_RETURN_IF_ERROR(keys_read.WithContext("cannot read the live keys of " + m->table));
  m->chunks = std::move(*chunks);
  for (const auto& c : m->chunks) m->bytes += c.size;
  if (!keyless) m->live_keys = keys.Take();
  if (keys.int_key) m->max_key = MaxKey(*m, prev_max_key);
  return Status::Ok();
}

Result<std::unique_ptr<PgConn>> ConnectInSnapshot(const PgOptions& pg,
                                                  const std::string& snapshot_id) {
  DREDGE_ASSIGN_OR_RETURN(auto conn, PgConn::Connect(pg));
  DREDGE_RETURN_IF_ERROR(conn->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
  DREDGE_RETURN_IF_ERROR(conn->Exec("SET TRANSACTION SNAPSHOT " + conn->QuoteLiteral(snapshot_id))
                             .WithContext("cannot share the run's snapshot"));
  return conn;
}

Status CloseKeyConnection(RunExportContext& ctx) {
  if (!ctx.key_conn) return Status::Ok();
  Status st = ctx.key_conn->Exec("COMMIT");
  ctx.key_conn.reset();
  return st;
}

}  // namespace dredge
