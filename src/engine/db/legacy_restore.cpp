#include "engine/db/legacy_restore.h"

#include <algorithm>
#include <charconv>
#include <unordered_set>

#include "common/log.h"
#include "engine/db/row_filter.h"
#include "formats/copy_text.h"
#include "formats/db_keys.h"
#include "formats/legacy_chunk.h"

namespace dredge {

Result<RestoreResult> RunLegacyRestore(ObjectStore& store, const PrefixListing& listing,
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

  RestoreResult out;
  out.legacy = true;
  out.table = opts.into.empty() ? "articles" : opts.into;
  log::Info("restore db: no dredge manifest found; restoring " + std::to_string(chunks.size()) +
            " StoryDredge chunks into " + out.table);

  DREDGE_ASSIGN_OR_RETURN(auto conn, PgConn::Connect(opts.pg));
  DREDGE_RETURN_IF_ERROR(conn->Exec("BEGIN"));
  std::string quoted = QuoteUserTableName(*conn, out.table);
  DREDGE_ASSIGN_OR_RETURN(auto table_cols, TableColumns(*conn, quoted));
  if (table_cols.empty())
    return Status::NotFound("table " + out.table +
                            " does not exist: a legacy backup carries no schema, create the "
                            "table first (or name another with --into)");
  // Load only the columns the StoryDredge rows carry, so others keep their defaults.
  auto load = [&](const std::string& key) -> Result<std::optional<std::vector<LegacyRow>>> {
    auto text = GetString(store, key);
    if (!text.ok()) return text.status().WithContext("cannot read chunk " + key);
    if (!LooksLikeLegacyChunk(*text)) {
      log::Debug("restore db: skipping " + key + " (not a StoryDredge chunk)");
      return std::optional<std::vector<LegacyRow>>();
    }
    auto rows = DecodeLegacyChunk(*text);
    if (!rows.ok()) return rows.status().WithContext("chunk " + key);
    return std::optional<std::vector<LegacyRow>>(std::move(*rows));
  };
  size_t first = 0;
  std::optional<std::vector<LegacyRow>> first_rows;
  for (; first < chunks.size() && !first_rows; ++first) {
    DREDGE_ASSIGN_OR_RETURN(first_rows, load(chunks[first].second));
    if (first_rows && first_rows->empty()) first_rows.reset();
  }
  if (!first_rows) return Status::NotFound("the destination holds no StoryDredge chunk with rows");
  --first;
  std::vector<ColumnSpec> cols;
  std::vector<std::string> names;
  for (const auto& [n, type] : table_cols) {
    bool carried = false;
    for (const auto& [k, v] : (*first_rows)[0]) carried = carried || k == n;
    if (!carried) continue;
    cols.push_back(MakeColumn(n, type));
    names.push_back(n);
  }
  DREDGE_ASSIGN_OR_RETURN(TargetTable t,
                          PrepareTarget(*conn, nullptr, out.table, false, names, opts.mode));
  std::vector<size_t> key_idx;
  for (const auto& k : t.pk_columns)
    for (size_t i = 0; i < names.size(); ++i)
      if (names[i] == k) key_idx.push_back(i);
  if (key_idx.size() != t.pk_columns.size() || key_idx.empty())
    return Status::PreconditionFailed("table " + out.table +
                                      " needs a primary key carried by the legacy rows to tell "
                                      "versions of a row apart");
  bool int_key = key_idx.size() == 1 && IsIntegerCodec(cols[key_idx[0]].codec);
  DREDGE_ASSIGN_OR_RETURN(RowFilter filter, MakeRowFilter(opts, cols, int_key));

  std::string copy_sql = "COPY " + t.copy_into + " (";
  for (size_t i = 0; i < names.size(); ++i)
    copy_sql += (i ? ", " : "") + conn->QuoteIdent(names[i]);
  DREDGE_RETURN_IF_ERROR(conn->CopyInBegin(copy_sql + ") FROM STDIN"));

  std::unordered_set<std::string> seen;
  std::unordered_set<std::string> warned;
  std::optional<int64_t> max_id;
  std::string buf;
  Status result;
  std::vector<std::string> fields(names.size());
  for (size_t ci = first; ci < chunks.size(); ++ci) {
    std::optional<std::vector<LegacyRow>> rows;
    if (ci == first) {
      rows = std::move(first_rows);
    } else {
      auto r = load(chunks[ci].second);
      if (!r.ok()) {
        result = r.status();
        break;
      }
      rows = std::move(*r);
    }
    if (!rows) continue;
    ++out.chunks_read;
    for (const auto& row : *rows) {
      std::fill(fields.begin(), fields.end(), std::string(copytext::kNull));
      for (const auto& [k, v] : row) {
        auto it = std::find(names.begin(), names.end(), k);
        if (it == names.end()) {
          if (warned.insert(k).second)
            log::Warn("restore db: table " + out.table + " has no column '" + k +
                      "' found in the legacy chunks; its values are not restored");
          continue;
        }
        fields[it - names.begin()] = v;
      }
      std::string pk = TextKeyOf(fields, key_idx);
      if (!seen.insert(pk).second) continue;
      int64_t ik = 0;
      if (int_key) {
        std::from_chars(pk.data(), pk.data() + pk.size(), ik);
        max_id = std::max(max_id.value_or(INT64_MIN), ik);
      }
      if (!filter.Pass(fields, ik)) continue;
      for (size_t j = 0; j < fields.size(); ++j) {
        if (j) buf.push_back('\t');
        buf += fields[j];
      }
      buf.push_back('\n');
      ++out.rows;
    }
    if (buf.size() >= (1 << 20)) {
      result = conn->CopyInPut(buf);
      buf.clear();
      if (!result.ok()) break;
    }
  }
  if (result.ok() && !buf.empty()) result = conn->CopyInPut(buf);
  if (!result.ok()) {
    conn->CopyInAbort("dredge restore stopped: " + result.message());
    return result;
  }
  DREDGE_RETURN_IF_ERROR(conn->CopyInEnd());
  DREDGE_RETURN_IF_ERROR(FinishTarget(*conn, t, nullptr, max_id));
  DREDGE_RETURN_IF_ERROR(conn->Exec("COMMIT"));
  return out;
}

}  // namespace dredge
