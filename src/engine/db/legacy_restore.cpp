#include "engine/db/legacy_restore.h"

#include <algorithm>
#include <charconv>
#include <unordered_set>

#include "common/log.h"
#include "engine/db/restore_target.h"
#include "engine/db/row_filter.h"
#include "formats/copy_text.h"
#include "formats/db_keys.h"
#include "formats/legacy_chunk.h"

namespace dredge {

Result<LegacyRestorePlan> PlanLegacyRestore(const PrefixListing& listing,
                                            const DbRestoreOptions& opts) {
  if (!opts.point.manifest.empty() || opts.point.as_of_unix_nanos)
    return Status::Usage(
        "this destination holds only StoryDredge (legacy) backups, which "
        "have no restore points: drop --manifest/--as-of");
  std::vector<std::pair<dbkeys::ChunkName, std::string>> chunks;
  for (const auto& k : listing.chunk_keys)
    if (auto c = dbkeys::ParseChunkKey(k); c && !c->zstd) chunks.emplace_back(*c, k);
  if (chunks.empty())
    return Status::NotFound("the destination holds no manifest and no chunk to restore");
  std::sort(chunks.begin(), chunks.end(), [](const auto& a, const auto& b) {
    if (a.first.stamp != b.first.stamp) return a.first.stamp > b.first.stamp;
    return a.first.number > b.first.number;
  });
  LegacyRestorePlan plan;
  plan.table = opts.into.empty() ? "articles" : opts.into;
  for (auto& [name, key] : chunks) plan.chunk_keys.push_back(std::move(key));
  return plan;
}

namespace {

using LegacyRows = std::vector<LegacyRow>;

// The rows of one chunk, or nullopt for an object under chunks/ that is not a StoryDredge chunk.
Result<std::optional<LegacyRows>> LoadLegacyChunk(ObjectStore& store, const std::string& key) {
  auto text = GetString(store, key);
  if (!text.ok()) return text.status().WithContext("cannot read chunk " + key);
  if (!LooksLikeLegacyChunk(*text)) {
    log::Debug("restore db: skipping " + key + " (not a StoryDredge chunk)");
    return std::optional<LegacyRows>();
  }
  auto rows = DecodeLegacyChunk(*text);
  if (!rows.ok()) return rows.status().WithContext("chunk " + key);
  return std::optional<LegacyRows>(std::move(*rows));
}

// The table and the columns the rows carry, with the key columns' positions among them.
struct LegacyTarget {
  TargetTable table;
  std::vector<ColumnSpec> cols;
  std::vector<std::string> names;
  std::vector<size_t> key_idx;
  bool int_key = false;
};

// Column names and types of the existing table, in order; NotFound when it does not exist.
Result<std::vector<std::pair<std::string, std::string>>> ExistingColumns(PgConn& conn,
                                                                         const std::string& table) {
  DREDGE_ASSIGN_OR_RETURN(auto cols, TableColumns(conn, QuoteUserTableName(conn, table)));
  if (cols.empty())
    return Status::NotFound("table " + table +
                            " does not exist: a legacy backup carries no schema, create the "
                            "table first (or name another with --into)");
  return cols;
}

Result<LegacyTarget> PrepareLegacyTarget(
    PgConn& conn, const std::string& table,
    const std::vector<std::pair<std::string, std::string>>& table_cols, const LegacyRow& sample,
    RestoreMode mode) {
  LegacyTarget t;
  for (const auto& [n, type] : table_cols) {
    bool carried =
        std::any_of(sample.begin(), sample.end(), [&](auto& kv) { return kv.first == n; });
    if (!carried) continue;
    t.cols.push_back(MakeColumn(n, type));
    t.names.push_back(n);
  }
  DREDGE_ASSIGN_OR_RETURN(t.table, PrepareTarget(conn, nullptr, table, false, t.names, mode));
  for (const auto& k : t.table.pk_columns)
    for (size_t i = 0; i < t.names.size(); ++i)
      if (t.names[i] == k) t.key_idx.push_back(i);
  if (t.key_idx.size() != t.table.pk_columns.size() || t.key_idx.empty())
    return Status::PreconditionFailed("table " + table +
                                      " needs a primary key carried by the legacy rows to tell "
                                      "versions of a row apart");
  t.int_key = t.key_idx.size() == 1 && IsIntegerCodec(t.cols[t.key_idx[0]].codec);
  return t;
}

// Turns legacy rows into COPY text: newest version of each key first wins, filters applied,
// columns the table lacks warned about once.
class LegacyCopyWriter {
 public:
  LegacyCopyWriter(const LegacyTarget& t, const RowFilter& filter, std::string table)
      : t_(t), filter_(filter), table_(std::move(table)), fields_(t.names.size()) {}

  // Appends the chunk's rows that pass to `buf`; returns how many.
  uint64_t Append(const LegacyRows& rows, std::string& buf) {
    uint64_t n = 0;
    for (const auto& row : rows) {
      Fill(row);
      std::string pk = TextKeyOf(fields_, t_.key_idx);
      if (!seen_.insert(pk).second) continue;
      int64_t ik = 0;
      if (t_.int_key) {
        std::from_chars(pk.data(), pk.data() + pk.size(), ik);
        max_id_ = std::max(max_id_.value_or(INT64_MIN), ik);
      }
      if (!filter_.Pass(fields_, ik)) continue;
      for (size_t j = 0; j < fields_.size(); ++j) {
        if (j) buf.push_back('\t');
        buf += fields_[j];
      }
      buf.push_back('\n');
      ++n;
    }
    return n;
  }
  std::optional<int64_t> max_id() const { return max_id_; }

 private:
  void Fill(const LegacyRow& row) {
    std::fill(fields_.begin(), fields_.end(), std::string(copytext::kNull));
    for (const auto& [k, v] : row) {
      auto it = std::find(t_.names.begin(), t_.names.end(), k);
      if (it != t_.names.end()) {
        fields_[it - t_.names.begin()] = v;
      } else if (warned_.insert(k).second) {
        log::Warn("restore db: table " + table_ + " has no column '" + k +
                  "' found in the legacy chunks; its values are not restored");
      }
    }
  }

  const LegacyTarget& t_;
  const RowFilter& filter_;
  std::string table_;
  std::vector<std::string> fields_;
  std::unordered_set<std::string> seen_, warned_;
  std::optional<int64_t> max_id_;
};

// The first chunk (newest first) that has rows, and its index; NotFound when none has.
Result<std::pair<size_t, LegacyRows>> FirstChunkWithRows(ObjectStore& store,
                                                         const LegacyRestorePlan& plan) {
  for (size_t i = 0; i < plan.chunk_keys.size(); ++i) {
    DREDGE_ASSIGN_OR_RETURN(auto rows, LoadLegacyChunk(store, plan.chunk_keys[i]));
    if (rows && !rows->empty()) return std::make_pair(i, std::move(*rows));
  }
  return Status::NotFound("the destination holds no StoryDredge chunk with rows");
}

// Streams the chunks from `first` on into the open COPY, 1 MiB at a time.
Status CopyLegacyChunks(ObjectStore& store, PgConn& conn, const LegacyRestorePlan& plan,
                        size_t first, LegacyRows first_rows, LegacyCopyWriter& writer,
                        RestoreResult& out) {
  std::string buf;
  for (size_t ci = first; ci < plan.chunk_keys.size(); ++ci) {
    std::optional<LegacyRows> rows;
    if (ci == first) {
      rows = std::move(first_rows);
    } else {
      DREDGE_ASSIGN_OR_RETURN(rows, LoadLegacyChunk(store, plan.chunk_keys[ci]));
    }
    if (!rows) continue;
    ++out.chunks_read;
    out.rows += writer.Append(*rows, buf);
    if (buf.size() >= (1 << 20)) {
      DREDGE_RETURN_IF_ERROR(conn.CopyInPut(buf));
      buf.clear();
    }
  }
  return buf.empty() ? Status::Ok() : conn.CopyInPut(buf);
}

}  // namespace

Result<RestoreResult> RunLegacyRestore(ObjectStore& store, const LegacyRestorePlan& plan,
                                       const DbRestoreOptions& opts) {
  RestoreResult out;
  out.legacy = true;
  out.table = plan.table;
  log::Info("restore db: no dredge manifest found; restoring " +
            std::to_string(plan.chunk_keys.size()) + " StoryDredge chunks into " + out.table);
  DREDGE_ASSIGN_OR_RETURN(auto conn, PgConn::Connect(opts.pg));
  DREDGE_RETURN_IF_ERROR(conn->Exec("BEGIN"));
  DREDGE_ASSIGN_OR_RETURN(auto table_cols, ExistingColumns(*conn, plan.table));
  DREDGE_ASSIGN_OR_RETURN(auto first, FirstChunkWithRows(store, plan));
  DREDGE_ASSIGN_OR_RETURN(LegacyTarget t, PrepareLegacyTarget(*conn, plan.table, table_cols,
                                                              first.second[0], opts.mode));
  DREDGE_ASSIGN_OR_RETURN(RowFilter filter, MakeRowFilter(opts, t.cols, t.int_key));
  std::string copy_sql = "COPY " + t.table.copy_into + " (";
  for (size_t i = 0; i < t.names.size(); ++i)
    copy_sql += (i ? ", " : "") + conn->QuoteIdent(t.names[i]);
  DREDGE_RETURN_IF_ERROR(conn->CopyInBegin(copy_sql + ") FROM STDIN"));
  LegacyCopyWriter writer(t, filter, plan.table);
  Status copied =
      CopyLegacyChunks(store, *conn, plan, first.first, std::move(first.second), writer, out);
  if (!copied.ok()) {
    conn->CopyInAbort("dredge restore stopped: " + copied.message());
    return copied;
  }
  DREDGE_RETURN_IF_ERROR(conn->CopyInEnd());
  DREDGE_RETURN_IF_ERROR(FinishTarget(*conn, t.table, nullptr, writer.max_id()));
  DREDGE_RETURN_IF_ERROR(conn->Exec("COMMIT"));
  return out;
}

}  // namespace dredge
