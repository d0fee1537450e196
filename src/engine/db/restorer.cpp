#include "engine/db/restorer.h"

#include <algorithm>
#include <memory>
#include <unordered_set>

#include "common/log.h"
#include "engine/db/chunk_prefetch.h"
#include "engine/db/legacy_restore.h"
#include "engine/db/manifest_select.h"
#include "engine/db/restore_plan.h"
#include "engine/db/row_filter.h"
#include "formats/chunk_writer.h"
#include "formats/copy_text.h"
#include "formats/temporal.h"

namespace dredge {
namespace {

// COPY … FROM STDIN into the target's chunk columns.
std::string CopyInSql(PgConn& conn, const TargetTable& target, const Manifest& m0,
                      const std::vector<ColumnSpec>& cols) {
  std::string sql = "COPY " + target.copy_into + " (";
  for (size_t i = 0; i < cols.size(); ++i) sql += (i ? ", " : "") + conn.QuoteIdent(cols[i].name);
  sql += ") FROM STDIN";
  // A table this transaction created is invisible to every other one until COMMIT, so its rows
  // may be written frozen: COPY is ~5 % faster, the key build after it ~15 % (no hint bits to
  // set), and the table needs no freezing vacuum later.
  // (Not through a partitioned table: PostgreSQL refuses FREEZE there.)
  if (target.created && target.copy_into == target.quoted && m0.schema.partition_by.empty())
    sql += " WITH (FREEZE)";
  return sql;
}

// Which decoded rows a restore writes: rows whose key is live at the chosen point and, across
// a chain of runs (chunks come newest run first), only the newest version of each key; then
// the row filter. A newer version that the filter drops still hides the older ones. A chain of
// one (full) run holds each key once, so it keeps no set: restore memory stays flat in rows.
class RowSelector {
 public:
  RowSelector(const Manifest& m0, const KeyShape& shape, bool dedup)
      : m0_(m0), shape_(shape), dedup_(dedup) {}

  bool Take(const DecodedChunk& d, size_t r) {
    bool take;
    if (shape_.keyless) {
      take = true;  // a keyless table's chain is one full read: every row is live
    } else if (shape_.int_key) {
      int64_t k = d.int_keys[r];
      take = m0_.live_keys.Contains(k) && (!dedup_ || seen_int_.insert(k).second);
    } else {
      const std::string& k = d.text_keys[r];
      take = m0_.live_keys.Contains(k) && (!dedup_ || seen_text_.insert(k).second);
    }
    return take && d.pass[r];
  }

 private:
  const Manifest& m0_;
  const KeyShape& shape_;
  bool dedup_;
  std::unordered_set<int64_t> seen_int_;
  std::unordered_set<std::string> seen_text_;
};

// Appends the selected rows of `d` to `buf`, sending it to the COPY whenever it reaches 1 MiB.
Status CopySelectedRows(const DecodedChunk& d, RowSelector& selector, PgConn& conn,
                        std::string& buf, uint64_t& rows) {
  size_t start = 0;
  for (size_t r = 0; r < d.ends.size(); ++r) {
    const size_t end = d.ends[r];
    if (selector.Take(d, r)) {
      buf.append(d.lines, start, end - start);
      ++rows;
      if (buf.size() >= (1 << 20)) {
        DREDGE_RETURN_IF_ERROR(conn.CopyInPut(buf));
        buf.clear();
      }
    }
    start = end;
  }
  return Status::Ok();
}

Status LoadRows(ObjectStore& store, PgConn& conn, const TargetTable& target,
                const TableRestorePlan& plan, int workers, Progress* progress, uint64_t* rows_out) {
  const Manifest& m0 = plan.entry();
  const auto cols = m0.schema.ChunkColumns();
  const KeyShape shape{m0.schema.KeyIndexes(), m0.schema.HasIntegerKey(), m0.schema.Keyless()};
  ChunkPrefetch prefetch(plan.work.size(), workers, [&](size_t i) {
    return DecodeChunk(store, *plan.work[i].entry, cols, shape, plan.filter);
  });
  // The first chunks are fetched and decoded while the server starts the COPY.
  prefetch.Start();
  DREDGE_RETURN_IF_ERROR(conn.CopyInBegin(CopyInSql(conn, target, m0, cols)));
  RowSelector selector(m0, shape, plan.chain.size() > 1);
  std::string buf;
  uint64_t rows = 0;
  Status result;
  for (size_t i = 0; i < plan.work.size() && result.ok(); ++i) {
    DecodedChunk d = prefetch.Take(i);
    if (progress) {
      progress->AddFiles(1);
      progress->AddBytes(plan.work[i].entry->size);
    }
    result = d.status.ok() ? CopySelectedRows(d, selector, conn, buf, rows) : d.status;
  }
  if (result.ok() && !buf.empty()) result = conn.CopyInPut(buf);
  if (!result.ok()) {
    conn.CopyInAbort("dredge restore stopped: " + result.message());
    return result;  // the prefetch's destructor stops and waits for its workers
  }
  DREDGE_RETURN_IF_ERROR(conn.CopyInEnd());
  *rows_out = rows;
  return Status::Ok();
}

// Creates or checks the target, loads the rows, then keys, indexes, sequence and comments.
Status RestoreTable(ObjectStore& store, PgConn& conn, const TableRestorePlan& plan, size_t n,
                    const DbRestoreOptions& opts, TableRestoreResult* out) {
  const Manifest& m0 = plan.entry();
  out->table = plan.into;
  out->chunks_read = plan.work.size();
  out->chunks_skipped = plan.chunks_skipped;
  std::vector<std::string> names;
  for (const auto& c : m0.schema.ChunkColumns()) names.push_back(c.name);
  DREDGE_ASSIGN_OR_RETURN(TargetTable t, PrepareTarget(conn, &m0.schema, plan.into, plan.same_name,
                                                       names, opts.mode, n));
  out->created = t.created;
  DREDGE_RETURN_IF_ERROR(LoadRows(store, conn, t, plan, opts.workers, opts.progress, &out->rows)
                             .WithContext("table " + m0.table));
  return FinishTarget(conn, t, &m0.schema, plan.max_id);
}

Status AddForeignKeys(PgConn& conn, const RestorePlan& plan, RestoreResult* out) {
  for (const auto& fk : plan.foreign_keys) {
    std::string sql = "ALTER TABLE " + QuoteQualified(conn, fk.table) + " ADD CONSTRAINT " +
                      conn.QuoteIdent(fk.name) + " " + fk.definition;
    DREDGE_RETURN_IF_ERROR(conn.Exec(sql).WithContext(
        "cannot add foreign key " + fk.name + " of " + fk.table +
        " (the restored rows do not satisfy it, or the referenced key is missing)"));
    out->foreign_keys_added.push_back(fk.table + "." + fk.name);
  }
  for (const auto& why : plan.left_out) log::Warn("restore db: " + why);
  out->foreign_keys_left_out = plan.left_out;
  return Status::Ok();
}

Status ExecutePlan(ObjectStore& store, const RestorePlan& plan, const DbRestoreOptions& opts,
                   RestoreResult* out) {
  DREDGE_ASSIGN_OR_RETURN(auto conn, PgConn::Connect(opts.pg));
  DREDGE_RETURN_IF_ERROR(conn->Exec("BEGIN"));
  out->created = true;
  if (opts.progress) {  // chunks read and loaded, out of every table's chunks
    uint64_t chunks = 0, bytes = 0;
    for (const auto& t : plan.tables)
      for (const auto& w : t.work) {
        ++chunks;
        bytes += w.entry->size;
      }
    opts.progress->SetUnit("chunks");
    opts.progress->SetTotals(chunks, bytes);
    opts.progress->Start();
  }
  for (size_t i = 0; i < plan.tables.size(); ++i) {
    TableRestoreResult r;
    Status st = RestoreTable(store, *conn, plan.tables[i], i, opts, &r);
    if (!st.ok() && opts.progress) opts.progress->Stop();
    DREDGE_RETURN_IF_ERROR(st);
    out->rows += r.rows;
    out->created = out->created && r.created;
    out->chunks_read += r.chunks_read;
    out->chunks_skipped += r.chunks_skipped;
    out->table += (out->table.empty() ? "" : ",") + r.table;
    out->tables.push_back(std::move(r));
  }
  if (opts.progress) opts.progress->Stop();
  // Every table's rows are in: now the foreign keys between them can be checked.
  DREDGE_RETURN_IF_ERROR(AddForeignKeys(*conn, plan, out));
  return conn->Exec("COMMIT");
}

// The restore point: the chosen manifest, or the newest dredge one at/before it; nullopt when
// the prefix holds only legacy chunks.
Result<std::optional<RunManifest>> ChoosePoint(ObjectStore& store, const PrefixListing& listing,
                                               const RestorePointQuery& q) {
  if (listing.manifest_keys.empty()) return std::optional<RunManifest>();
  DREDGE_ASSIGN_OR_RETURN(std::string key, ChooseManifestKey(listing, q, store.Describe()));
  auto it = std::find(listing.manifest_keys.begin(), listing.manifest_keys.end(), key);
  for (;;) {
    auto m = LoadManifest(store, *it);
    if (m.ok()) return std::optional<RunManifest>(std::move(*m));
    if (!m.status().Is(ErrorKind::kUnsupported)) return m.status();
    if (!q.manifest.empty() || it == listing.manifest_keys.begin()) break;
    --it;
  }
  return std::optional<RunManifest>();
}

// What the plan would load, without loading it (DbRestoreOptions::dry_run).
RestoreResult DryRunResult(const RestorePlan& plan) {
  RestoreResult out;
  out.dry_run = true;
  out.manifest_key = plan.manifest_key;
  for (const auto& t : plan.tables) {
    TableRestoreResult r;
    r.table = t.into;
    for (const ChunkWork& w : t.work) r.rows += w.entry->rows;
    r.chunks_read = t.work.size();
    r.chunks_skipped = t.chunks_skipped;
    out.rows += r.rows;
    out.chunks_read += r.chunks_read;
    out.chunks_skipped += r.chunks_skipped;
    out.table += (out.table.empty() ? "" : ", ") + r.table;
    out.tables.push_back(std::move(r));
  }
  for (const auto& fk : plan.foreign_keys) out.foreign_keys_added.push_back(fk.name);
  out.foreign_keys_left_out = plan.left_out;
  return out;
}

}  // namespace

Result<RestoreResult> RunDbRestore(ObjectStore& store, const DbRestoreOptions& opts) {
  bool filtered = !opts.since.empty() || !opts.until.empty() || opts.ids.has_value();
  if (opts.mode == RestoreMode::kReplace && filtered)
    return Status::Usage(
        "--replace cannot be combined with --since/--until/--ids: it would "
        "drop the rows the filters leave out (use --merge)");
  DREDGE_ASSIGN_OR_RETURN(PrefixListing listing, ListPrefix(store));
  DREDGE_ASSIGN_OR_RETURN(std::optional<RunManifest> point,
                          ChoosePoint(store, listing, opts.point));
  if (!point) {
    if (!opts.tables.empty() || opts.with_dependencies)
      return Status::Usage(
          "--table/--with-dependencies need dredge manifests; this prefix holds "
          "only StoryDredge chunks of one table (use --into)");
    DREDGE_ASSIGN_OR_RETURN(LegacyRestorePlan legacy, PlanLegacyRestore(listing, opts));
    if (opts.dry_run) {
      RestoreResult out;
      out.dry_run = out.legacy = true;
      out.table = legacy.table;
      out.chunks_read = legacy.chunk_keys.size();
      return out;
    }
    return RunLegacyRestore(store, legacy, opts);
  }
  DREDGE_ASSIGN_OR_RETURN(RestorePlan plan, PlanRestore(store, listing, *point, opts));
  if (opts.dry_run) return DryRunResult(plan);
  RestoreResult out;
  out.manifest_key = plan.manifest_key;
  DREDGE_RETURN_IF_ERROR(ExecutePlan(store, plan, opts, &out));
  return out;
}

}  // namespace dredge
