#include "engine/db/restorer.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "common/log.h"
#include "common/thread_pool.h"
#include "engine/db/chunk_fetch.h"
#include "engine/db/legacy_restore.h"
#include "engine/db/manifest_select.h"
#include "engine/db/row_filter.h"
#include "formats/chunk_writer.h"
#include "formats/copy_text.h"
#include "formats/temporal.h"

namespace dredge {
namespace {

struct WorkItem {
  const ChunkEntry* entry;
};

struct Decoded {
  Status status;
  std::vector<int64_t> int_keys;
  std::vector<std::string> text_keys;
  std::vector<char> pass;
  std::string lines;         // rows, each ending in '\n'
  std::vector<size_t> ends;  // end offset of each row in `lines`
};

struct Slot {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  Decoded data;
};

bool KeyRangesOverlap(const std::vector<ColumnSpec>& cols, const std::vector<size_t>& key_idx,
                      const ChunkEntry& a, const ChunkEntry& b) {
  if (a.key_min.empty() || b.key_min.empty()) return true;
  return CompareKeys(cols, key_idx, a.key_min, b.key_max) <= 0 &&
         CompareKeys(cols, key_idx, b.key_min, a.key_max) <= 0;
}

// Chunks to read, newest run first; a chunk is left out when the filters exclude all its rows
// and leaving it out cannot let an older version of one of its keys through.
std::vector<WorkItem> PlanChunks(const std::vector<Manifest>& chain, const RowFilter& filter,
                                 const std::vector<ColumnSpec>& cols,
                                 const std::vector<size_t>& key_idx, uint64_t* skipped) {
  std::vector<std::vector<char>> skip(chain.size());
  std::vector<const ChunkEntry*> kept_older;  // kept chunks of runs older than the current one
  for (size_t r = chain.size(); r-- > 0;) {
    const auto& chunks = chain[r].chunks;
    skip[r].assign(chunks.size(), 0);
    for (size_t i = 0; i < chunks.size(); ++i) {
      const ChunkEntry& c = chunks[i];
      if (filter.ids && !c.key_min.empty() && key_idx.size() == 1 &&
          !RangesOverlap(*filter.ids, IntKeyOf(c.key_min[0]), IntKeyOf(c.key_max[0]))) {
        skip[r][i] = 1;  // none of its keys is asked for, so it hides nothing that is
        continue;
      }
      if (filter.ExcludesZone(c)) {
        bool hides = false;
        for (const ChunkEntry* o : kept_older)
          if (KeyRangesOverlap(cols, key_idx, c, *o)) hides = true;
        if (!hides) skip[r][i] = 1;
      }
    }
    for (size_t i = 0; i < chunks.size(); ++i)
      if (!skip[r][i]) kept_older.push_back(&chunks[i]);
  }
  std::vector<WorkItem> out;
  for (size_t r = 0; r < chain.size(); ++r)
    for (size_t i = 0; i < chain[r].chunks.size(); ++i) {
      if (skip[r][i])
        ++*skipped;
      else
        out.push_back({&chain[r].chunks[i]});
    }
  return out;
}

Result<std::optional<int64_t>> HighestIdEver(ObjectStore& store, const PrefixListing& listing,
                                             const Manifest& target) {
  std::optional<int64_t> best = target.max_key;
  auto fold = [&](const Manifest& m) {
    if (m.max_key) best = std::max(best.value_or(INT64_MIN), *m.max_key);
    if (m.schema.sequence && m.schema.sequence->last_value)
      best = std::max(best.value_or(INT64_MIN), *m.schema.sequence->last_value);
  };
  fold(target);
  DREDGE_ASSIGN_OR_RETURN(auto newest, NewestManifest(store, listing));
  if (newest) fold(*newest);
  return best;
}

Status LoadRows(ObjectStore& store, PgConn& conn, const TargetTable& target,
                const std::vector<WorkItem>& work, const Manifest& m0,
                const std::vector<ColumnSpec>& cols, const std::vector<size_t>& key_idx,
                const RowFilter& filter, int workers, uint64_t* rows_out) {
  bool int_key = m0.schema.HasIntegerKey();
  std::string copy_sql = "COPY " + target.copy_into + " (";
  for (size_t i = 0; i < cols.size(); ++i)
    copy_sql += (i ? ", " : "") + conn.QuoteIdent(cols[i].name);
  copy_sql += ") FROM STDIN";
  // A table this transaction created is invisible to every other one until COMMIT, so its rows
  // may be written frozen: COPY is ~5 % faster, the key build after it ~15 % (no hint bits to
  // set), and the table needs no freezing vacuum later.
  if (target.created && target.copy_into == target.quoted) copy_sql += " WITH (FREEZE)";

  std::atomic<bool> cancel{false};
  std::vector<std::shared_ptr<Slot>> slots(work.size());
  for (auto& s : slots) s = std::make_shared<Slot>();
  size_t window = static_cast<size_t>(std::max(1, workers)) + 1;
  ThreadPool pool(static_cast<size_t>(std::max(1, workers)), window);
  size_t next = 0;
  auto submit = [&](size_t i) {
    std::shared_ptr<Slot> slot = slots[i];
    const ChunkEntry* e = work[i].entry;
    pool.Submit([&, slot, e] {
      Decoded d;
      if (!cancel) {
        d.status = ReadChunkRows(store, *e, cols, [&](std::vector<std::string>& f) {
          if (int_key) {
            d.int_keys.push_back(IntKeyOf(f[key_idx[0]]));
          } else {
            d.text_keys.push_back(TextKeyOf(f, key_idx));
          }
          d.pass.push_back(filter.Pass(f, int_key ? d.int_keys.back() : 0) ? 1 : 0);
          for (size_t j = 0; j < f.size(); ++j) {
            if (j) d.lines.push_back('\t');
            d.lines += f[j];
          }
          d.lines.push_back('\n');
          d.ends.push_back(d.lines.size());
          return Status::Ok();
        });
      }
      std::lock_guard lock(slot->mu);
      slot->data = std::move(d);
      slot->done = true;
      slot->cv.notify_all();
    });
  };
  // The first chunks are fetched and decoded while the server starts the COPY.
  for (; next < work.size() && next < window; ++next) submit(next);
  if (Status begun = conn.CopyInBegin(copy_sql); !begun.ok()) {
    cancel = true;
    pool.Wait();
    return begun;
  }

  std::unordered_set<int64_t> seen_int;
  std::unordered_set<std::string> seen_text;
  std::string buf;
  uint64_t rows = 0;
  Status result;
  for (size_t i = 0; i < work.size() && result.ok(); ++i) {
    Decoded d;
    {
      std::unique_lock lock(slots[i]->mu);
      slots[i]->cv.wait(lock, [&] { return slots[i]->done; });
      d = std::move(slots[i]->data);
    }
    slots[i].reset();
    if (next < work.size()) submit(next++);
    if (!d.status.ok()) {
      result = d.status;
      break;
    }
    size_t start = 0;
    for (size_t r = 0; r < d.ends.size(); ++r) {
      size_t end = d.ends[r];
      bool take;
      if (int_key) {
        int64_t k = d.int_keys[r];
        take = m0.live_keys.Contains(k) && seen_int.insert(k).second;
      } else {
        const std::string& k = d.text_keys[r];
        take = m0.live_keys.Contains(k) && seen_text.insert(k).second;
      }
      if (take && d.pass[r]) {
        buf.append(d.lines, start, end - start);
        ++rows;
        if (buf.size() >= (1 << 20)) {
          result = conn.CopyInPut(buf);
          buf.clear();
          if (!result.ok()) break;
        }
      }
      start = end;
    }
  }
  if (result.ok() && !buf.empty()) result = conn.CopyInPut(buf);
  if (!result.ok()) {
    cancel = true;
    conn.CopyInAbort("dredge restore stopped: " + result.message());
    pool.Wait();
    return result;
  }
  pool.Wait();
  DREDGE_RETURN_IF_ERROR(conn.CopyInEnd());
  *rows_out = rows;
  return Status::Ok();
}

}  // namespace

Result<RestoreResult> RunDbRestore(ObjectStore& store, const DbRestoreOptions& opts) {
  bool filtered = !opts.since.empty() || !opts.until.empty() || opts.ids.has_value();
  if (opts.mode == RestoreMode::kReplace && filtered)
    return Status::Usage(
        "--replace cannot be combined with --since/--until/--ids: it would "
        "drop the rows the filters leave out (use --merge)");
  DREDGE_ASSIGN_OR_RETURN(PrefixListing listing, ListPrefix(store));

  // The restore point: the chosen manifest, or the newest dredge one at/before it.
  std::optional<Manifest> target;
  if (!listing.manifest_keys.empty()) {
    DREDGE_ASSIGN_OR_RETURN(std::string key,
                            ChooseManifestKey(listing, opts.point, store.Describe()));
    auto it = std::find(listing.manifest_keys.begin(), listing.manifest_keys.end(), key);
    for (;;) {
      auto m = LoadManifest(store, *it);
      if (m.ok()) {
        target = std::move(*m);
        break;
      }
      if (!m.status().Is(ErrorKind::kUnsupported)) return m.status();
      if (!opts.point.manifest.empty() || it == listing.manifest_keys.begin()) break;
      --it;
    }
  }
  if (!target) return RunLegacyRestore(store, listing, opts);

  DREDGE_ASSIGN_OR_RETURN(std::vector<Manifest> chain, LoadChain(store, *target));
  const Manifest& m0 = chain.front();
  auto cols = m0.schema.ChunkColumns();
  auto key_idx = m0.schema.KeyIndexes();
  DREDGE_ASSIGN_OR_RETURN(RowFilter filter, MakeRowFilter(opts, cols, m0.schema.HasIntegerKey()));

  RestoreResult out;
  out.manifest_key = m0.key;
  out.table = opts.into.empty() ? m0.table : opts.into;
  std::vector<WorkItem> work = PlanChunks(chain, filter, cols, key_idx, &out.chunks_skipped);
  out.chunks_read = work.size();
  DREDGE_ASSIGN_OR_RETURN(std::optional<int64_t> max_id, HighestIdEver(store, listing, m0));

  DREDGE_ASSIGN_OR_RETURN(auto conn, PgConn::Connect(opts.pg));
  DREDGE_RETURN_IF_ERROR(conn->Exec("BEGIN"));
  std::vector<std::string> names;
  for (const auto& c : cols) names.push_back(c.name);
  bool same_name = opts.into.empty() || opts.into == m0.table || opts.into == m0.schema.table;
  DREDGE_ASSIGN_OR_RETURN(TargetTable t,
                          PrepareTarget(*conn, &m0.schema, out.table, same_name, names, opts.mode));
  out.created = t.created;
  DREDGE_RETURN_IF_ERROR(
      LoadRows(store, *conn, t, work, m0, cols, key_idx, filter, opts.workers, &out.rows));
  DREDGE_RETURN_IF_ERROR(FinishTarget(*conn, t, &m0.schema, max_id));
  DREDGE_RETURN_IF_ERROR(conn->Exec("COMMIT"));
  return out;
}

}  // namespace dredge
