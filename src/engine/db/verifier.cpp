#include "engine/db/verifier.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "common/log.h"
#include "common/progress.h"
#include "common/thread_pool.h"
#include "engine/db/catalog.h"
#include "engine/db/chunk_fetch.h"
#include "engine/db/manifest_select.h"
#include "engine/db/manifest_store.h"
#include "engine/db/restorable_state.h"
#include "formats/copy_text.h"
#include "formats/db_keys.h"

namespace dredge {
namespace {

// Compares the live table with the entry's restorable state (inside conn's transaction, whose
// snapshot xmax is `x`).
Status CompareTable(ObjectStore& store, PgConn* conn, const Manifest& m0, int64_t x, bool name_keys,
                    Progress* progress, DbVerifyResult* out) {
  std::vector<size_t> key_idx;
  DREDGE_ASSIGN_OR_RETURN(auto state, RestorableState(store, m0, &key_idx));
  auto& backup = state.rows;
  out->rows_backup += backup.size();
  auto cols = m0.schema.ChunkColumns();
  DREDGE_ASSIGN_OR_RETURN(TableRef table, ResolveTable(*conn, m0.table));
  std::string X = std::to_string(x), X32 = std::to_string(x % 4294967296LL);
  std::string changed = "(xmin::text::bigint >= 3 AND " + X + " - ((" + X32 +
                        " - xmin::text::bigint + 4294967296) % 4294967296) >= " + m0.horizon + ")";
  std::string sql = "COPY (SELECT " + changed;
  for (const auto& c : cols) sql += ", " + conn->QuoteIdent(c.name);
  sql += " FROM " + table.quoted + ") TO STDOUT";
  std::vector<std::string_view> parts;
  std::vector<std::string> f;
  std::vector<size_t> shifted;
  for (size_t i : key_idx) shifted.push_back(i + 1);
  DREDGE_RETURN_IF_ERROR(conn->CopyOut(sql, [&](std::string_view line) {
    ++out->rows_live;
    if (progress) progress->AddFiles(1);
    bool is_new = line.substr(0, 2) == "t\t";
    std::string_view row = line.substr(2);
    copytext::SplitLine(line, &parts);
    f.assign(parts.begin(), parts.end());
    std::string k = TextKeyOf(f, shifted);
    auto it = backup.find(k);
    if (it != backup.end() && it->second.hash == RowHash(row)) {
      ++out->matching;
    } else if (is_new) {
      ++out->not_yet_backed_up;
    } else {
      ++out->mismatched;
      if (out->mismatch_keys.size() < 20)
        out->mismatch_keys.push_back(name_keys ? m0.table + ": " + k : k);
    }
    if (it != backup.end()) backup.erase(it);
    return Status::Ok();
  }));
  out->deleted_since_backup += backup.size();
  return Status::Ok();
}

// The live comparison's phase of the progress: live rows read, out of the rows the backup holds
// (the live table's size is not known before it is read; rows inserted since the backup can
// take the count past the total). Stops the phase when it goes out of scope, on every path.
class ComparisonProgress {
 public:
  ComparisonProgress(Progress* p, const std::vector<const Manifest*>& entries) : p_(p) {
    if (!p_) return;
    uint64_t rows = 0;
    for (const Manifest* m : entries) {
      if (!m->schema.Keyless()) {
        rows += m->live_keys.count();
        continue;
      }
      for (const auto& c : m->chunks) rows += c.rows;  // a keyless table's read, every row
    }
    p_->SetUnit("rows");
    p_->SetTotals(rows, 0);
    p_->Restart("verify db: live rows");
  }
  ~ComparisonProgress() {
    if (p_) p_->Stop();
  }
  ComparisonProgress(const ComparisonProgress&) = delete;
  ComparisonProgress& operator=(const ComparisonProgress&) = delete;

 private:
  Progress* p_;
};

Status CompareWithDb(ObjectStore& store, const PrefixListing& listing, const DbVerifyOptions& o,
                     DbVerifyResult* out) {
  std::optional<RunManifest> newest;
  if (o.point.manifest.empty() && !o.point.as_of_unix_nanos) {
    DREDGE_ASSIGN_OR_RETURN(newest, NewestManifest(store, listing));
  } else {
    DREDGE_ASSIGN_OR_RETURN(std::string key, ChooseManifestKey(listing, o.point, store.Describe()));
    DREDGE_ASSIGN_OR_RETURN(newest, LoadManifest(store, key));
  }
  if (!newest) return Status::NotFound("the destination holds no dredge manifest to compare");
  out->manifest_key = newest->key;
  std::vector<const Manifest*> entries;
  DREDGE_ASSIGN_OR_RETURN(auto conn, PgConn::Connect(o.pg));
  DREDGE_RETURN_IF_ERROR(conn->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY"));
  DREDGE_ASSIGN_OR_RETURN(PgRows snap,
                          conn->Query("SELECT pg_snapshot_xmax(pg_current_snapshot())::text"));
  for (const auto& t : newest->tables) entries.push_back(&t);
  if (!o.table.empty()) {
    DREDGE_ASSIGN_OR_RETURN(TableRef table, ResolveTable(*conn, o.table));
    const Manifest* m = newest->Find(table.schema_name + "." + table.table);
    if (!m) return Status::Usage("the destination's newest manifest holds no backup of " + o.table);
    entries = {m};
  }
  int64_t x = std::stoll(snap.str(0, 0));
  ComparisonProgress shown(o.progress, entries);
  for (const Manifest* m : entries)
    DREDGE_RETURN_IF_ERROR(
        CompareTable(store, conn.get(), *m, x, entries.size() > 1, o.progress, out));
  return conn->Exec("COMMIT");
}

// Every readable manifest of the listing, with the chain problems found on the way recorded in
// `out`; loaded before any chunk is read, so the progress has its totals from the start.
std::vector<RunManifest> LoadManifests(ObjectStore& store, const PrefixListing& listing,
                                       DbVerifyResult* out) {
  std::vector<RunManifest> loaded;
  for (const auto& key : listing.manifest_keys) {
    auto m = LoadManifest(store, key);
    if (!m.ok()) {
      if (m.status().Is(ErrorKind::kUnsupported)) continue;  // legacy: nothing to check against
      out->corrupt.push_back(m.status().message());
      continue;
    }
    ++out->manifests_checked;
    // An incremental run is restorable only with its whole chain: a lost predecessor makes
    // every restore point from this one on unrestorable, even when each chunk is intact.
    // A predecessor that prune retired (engine/db/prune.h) still carries the chain.
    auto predecessor_present = [&](const std::string& prev) {
      if (std::binary_search(listing.manifest_keys.begin(), listing.manifest_keys.end(), prev))
        return true;
      return store.Stat(dbkeys::RetiredKey(prev)).ok();
    };
    if (m->mode() == "incremental" && (!m->previous || !predecessor_present(*m->previous))) {
      out->corrupt.push_back("manifest " + key + " is incremental but its predecessor " +
                             m->previous.value_or("(none named)") +
                             " is missing: restore points from it on cannot be restored");
    }
    loaded.push_back(std::move(*m));
  }
  return loaded;
}

}  // namespace

Status RunDbVerify(ObjectStore& store, const DbVerifyOptions& o, DbVerifyResult* out) {
  DREDGE_ASSIGN_OR_RETURN(PrefixListing listing, ListPrefix(store));
  std::vector<RunManifest> manifests = LoadManifests(store, listing, out);
  if (o.progress) {
    uint64_t chunks = 0, bytes = 0;
    for (const auto& m : manifests)
      for (const auto& t : m.tables)
        for (const auto& c : t.chunks) {
          ++chunks;
          bytes += c.size;
        }
    o.progress->SetUnit("chunks");
    o.progress->SetTotals(chunks, bytes);
    o.progress->Start();
  }
  std::mutex mu;
  {
    ThreadPool pool(static_cast<size_t>(std::max(1, o.workers)),
                    static_cast<size_t>(std::max(1, o.workers)));
    for (const auto& m : manifests) {
      for (const auto& t : m.tables) {
        auto cols = std::make_shared<std::vector<ColumnSpec>>(t.schema.ChunkColumns());
        for (const auto& c : t.chunks) {
          pool.Submit([&, c, cols] {
            Status st = ReadChunkRows(store, c, *cols,
                                      [](std::vector<std::string>&) { return Status::Ok(); });
            if (o.progress) {
              o.progress->AddFiles(1);
              o.progress->AddBytes(c.size);
            }
            std::lock_guard lock(mu);
            ++out->chunks_checked;
            if (!st.ok()) out->corrupt.push_back(st.message());
          });
        }
      }
    }
    pool.Wait();
  }
  if (o.progress) o.progress->Stop();
  for (const auto& c : out->corrupt) log::Error("verify db: " + c);
  if (o.with_db && out->corrupt.empty())
    DREDGE_RETURN_IF_ERROR(CompareWithDb(store, listing, o, out));
  if (!out->corrupt.empty())
    return Status::Corrupt(std::to_string(out->corrupt.size()) +
                           " chunk(s) or manifest(s) are damaged: " + out->corrupt.front());
  if (out->mismatched > 0)
    return Status(ErrorKind::kMismatch,
                  std::to_string(out->mismatched) +
                      " row(s) differ from the backup although unchanged since its snapshot "
                      "(first key: " +
                      out->mismatch_keys.front() + ")");
  return Status::Ok();
}

}  // namespace dredge
