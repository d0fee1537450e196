#include "engine/files/planner.h"

#include <atomic>
#include <mutex>

#include "common/hash.h"
#include "common/log.h"
#include "common/thread_pool.h"
#include "formats/file_keys.h"

namespace dredge {

bool IsPlainMd5(const std::string& s) {
  if (s.size() != 32) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Status LoadListing(ObjectStore& store, StateIndex& index) {
  DREDGE_RETURN_IF_ERROR(index.ClearRemote());
  DREDGE_RETURN_IF_ERROR(store.List("", [&](const ObjectInfo& o) -> Status {
    if (file_keys::IsRecordKey(o.key)) return Status::Ok();
    return index.AddRemote({o.key, o.size, -1, 0, o.etag, false});
  }));
  return index.Flush();
}

namespace {

std::string EncodeWorkItem(const WorkItem& w) {
  RecordWriter out;
  out.Str(w.path);
  out.U64(w.size);
  out.U64(static_cast<uint64_t>(w.mtime_ns));
  out.U64(w.inode);
  out.U64((w.has_prev ? 1u : 0u) | (w.prev_removed ? 2u : 0u) | (w.prev_from_listing ? 4u : 0u));
  out.Str(w.prev_md5);
  out.U64(w.prev_size);
  out.Str(w.md5);
  return out.bytes();
}

bool DecodeWorkItem(std::string_view rec, WorkItem* w) {
  RecordReader in(rec);
  uint64_t mtime = 0, flags = 0;
  if (!in.Str(&w->path) || !in.U64(&w->size) || !in.U64(&mtime) || !in.U64(&w->inode) ||
      !in.U64(&flags) || !in.Str(&w->prev_md5) || !in.U64(&w->prev_size) || !in.Str(&w->md5))
    return false;
  w->mtime_ns = static_cast<int64_t>(mtime);
  w->has_prev = flags & 1u;
  w->prev_removed = flags & 2u;
  w->prev_from_listing = flags & 4u;
  return true;
}

std::string EncodeIndexRow(const IndexRow& r) {
  RecordWriter out;
  out.Str(r.path);
  out.U64(r.size);
  out.U64(static_cast<uint64_t>(r.mtime_ns));
  out.U64(r.inode);
  out.Str(r.md5);
  out.U64(r.removed ? 1 : 0);
  return out.bytes();
}

bool DecodeIndexRow(std::string_view rec, IndexRow* r) {
  RecordReader in(rec);
  uint64_t mtime = 0, removed = 0;
  if (!in.Str(&r->path) || !in.U64(&r->size) || !in.U64(&mtime) || !in.U64(&r->inode) ||
      !in.Str(&r->md5) || !in.U64(&removed))
    return false;
  r->mtime_ns = static_cast<int64_t>(mtime);
  r->removed = removed != 0;
  return true;
}

Status Garbled() {
  return Status::Io("a temporary file of the backup plan was garbled; rerun the backup");
}

// One ordered input of the merge with a one-row look-ahead.
class PeekCursor {
 public:
  explicit PeekCursor(std::unique_ptr<StateIndex::Cursor> c) : c_(std::move(c)) {}
  Status Advance() {
    if (!c_) {
      has_ = false;
      return Status::Ok();
    }
    DREDGE_ASSIGN_OR_RETURN(has_, c_->Next(&row_));
    return Status::Ok();
  }
  bool has() const { return has_; }
  const IndexRow& row() const { return row_; }

 private:
  std::unique_ptr<StateIndex::Cursor> c_;
  IndexRow row_;
  bool has_ = false;
};

}  // namespace

Status ForEachWorkItem(RecordSpill& spill, const std::function<Status(WorkItem&)>& fn) {
  DREDGE_RETURN_IF_ERROR(spill.Rewind());
  std::string rec;
  WorkItem w;
  for (;;) {
    DREDGE_ASSIGN_OR_RETURN(bool more, spill.Next(&rec));
    if (!more) return Status::Ok();
    if (!DecodeWorkItem(rec, &w)) return Garbled();
    DREDGE_RETURN_IF_ERROR(fn(w));
  }
}

Status ForEachPath(RecordSpill& spill, const std::function<Status(const std::string&)>& fn) {
  DREDGE_RETURN_IF_ERROR(spill.Rewind());
  std::string rec;
  for (;;) {
    DREDGE_ASSIGN_OR_RETURN(bool more, spill.Next(&rec));
    if (!more) return Status::Ok();
    DREDGE_RETURN_IF_ERROR(fn(rec));
  }
}

Status ForEachIndexRow(RecordSpill& spill, const std::function<Status(IndexRow&)>& fn) {
  DREDGE_RETURN_IF_ERROR(spill.Rewind());
  std::string rec;
  IndexRow r;
  for (;;) {
    DREDGE_ASSIGN_OR_RETURN(bool more, spill.Next(&rec));
    if (!more) return Status::Ok();
    if (!DecodeIndexRow(rec, &r)) return Garbled();
    DREDGE_RETURN_IF_ERROR(fn(r));
  }
}

Result<Plan> BuildPlan(StateIndex& index, const std::string& source, const PathFilter& filter,
                       bool use_listing, const std::string& tmp_dir) {
  Plan plan;
  plan.used_listing = use_listing;
  DREDGE_ASSIGN_OR_RETURN(plan.work, RecordSpill::Create(tmp_dir));
  DREDGE_ASSIGN_OR_RETURN(plan.removed, RecordSpill::Create(tmp_dir));
  DREDGE_ASSIGN_OR_RETURN(plan.listed_only, RecordSpill::Create(tmp_dir));
  DREDGE_ASSIGN_OR_RETURN(auto idx_cursor, index.OpenCursor(StateIndex::Table::kFiles));
  DREDGE_ASSIGN_OR_RETURN(uint64_t index_rows, index.Count(StateIndex::Table::kFiles));
  PeekCursor idx(std::move(idx_cursor));
  std::unique_ptr<StateIndex::Cursor> remote_cursor;
  if (use_listing) {
    DREDGE_ASSIGN_OR_RETURN(remote_cursor, index.OpenCursor(StateIndex::Table::kRemote));
  }
  PeekCursor remote(std::move(remote_cursor));
  DREDGE_RETURN_IF_ERROR(idx.Advance());
  DREDGE_RETURN_IF_ERROR(remote.Advance());
  // With an empty index the listing is the record of what was backed up before.
  const bool listing_is_base = index_rows == 0;
  const bool verify_with_listing = use_listing && !listing_is_base;

  auto gone_from_index = [&](const IndexRow& r) -> Status {
    if (r.removed || !filter.Selects(r.path)) return Status::Ok();
    ++plan.previous;
    return plan.removed->Append(r.path);
  };
  auto gone_from_listing = [&](const IndexRow& r) -> Status {
    if (!listing_is_base) return Status::Ok();
    DREDGE_RETURN_IF_ERROR(plan.listed_only->Append(EncodeIndexRow(r)));
    if (!filter.Selects(r.path)) return Status::Ok();
    ++plan.previous;
    return plan.removed->Append(r.path);
  };

  Status st = WalkTree(
      source, filter,
      [&](const WalkEntry& e) -> Status {
        ++plan.scanned;
        plan.scanned_bytes += e.size;
        while (idx.has() && idx.row().path < e.rel_path) {
          DREDGE_RETURN_IF_ERROR(gone_from_index(idx.row()));
          DREDGE_RETURN_IF_ERROR(idx.Advance());
        }
        while (remote.has() && remote.row().path < e.rel_path) {
          DREDGE_RETURN_IF_ERROR(gone_from_listing(remote.row()));
          DREDGE_RETURN_IF_ERROR(remote.Advance());
        }
        const IndexRow* in_idx = idx.has() && idx.row().path == e.rel_path ? &idx.row() : nullptr;
        const IndexRow* in_list =
            remote.has() && remote.row().path == e.rel_path ? &remote.row() : nullptr;
        if (in_idx && !in_idx->removed) ++plan.previous;
        if (!in_idx && in_list && listing_is_base) ++plan.previous;
        const bool stat_same = in_idx && !in_idx->removed && in_idx->size == e.size &&
                               in_idx->mtime_ns == e.mtime_ns && in_idx->inode == e.inode;
        // After a killed run or a prune, the index may describe objects that are not (or no
        // longer) stored: only the listing vouches for them.
        const bool stored =
            !verify_with_listing || (stat_same && in_list && in_list->size == in_idx->size &&
                                     (!IsPlainMd5(in_list->md5) || in_list->md5 == in_idx->md5));
        if (stat_same && stored) {
          ++plan.unchanged;
        } else {
          WorkItem w;
          w.path = e.rel_path;
          w.size = e.size;
          w.mtime_ns = e.mtime_ns;
          w.inode = e.inode;
          if (verify_with_listing) {
            if (in_list) {
              w.has_prev = true;
              w.prev_from_listing = true;
              // Only a file that changed in the source counts as a change for the guard.
              w.prev_removed = !in_idx || in_idx->removed || stat_same;
              w.prev_md5 = in_list->md5;
              w.prev_size = in_list->size;
            }
          } else if (in_idx) {
            w.has_prev = true;
            w.prev_removed = in_idx->removed;
            w.prev_md5 = in_idx->md5;
            w.prev_size = in_idx->size;
          } else if (in_list) {
            w.has_prev = true;
            w.prev_from_listing = true;
            w.prev_removed = !listing_is_base;  // stored by an unfinished run: not a change
            w.prev_md5 = in_list->md5;
            w.prev_size = in_list->size;
          }
          plan.work_bytes += w.size;
          DREDGE_RETURN_IF_ERROR(plan.work->Append(EncodeWorkItem(w)));
        }
        if (in_idx) DREDGE_RETURN_IF_ERROR(idx.Advance());
        if (in_list) DREDGE_RETURN_IF_ERROR(remote.Advance());
        return Status::Ok();
      },
      [&](const WalkIssue& issue) {
        if (issue.error) {
          ++plan.walk_errors;
          if (plan.walk_error_names.size() < 1000) plan.walk_error_names.push_back(issue.rel_path);
          log::Warn("cannot back up " + issue.rel_path + ": " + issue.message);
        } else {
          log::Warn(issue.rel_path + ": " + issue.message);
        }
      });
  DREDGE_RETURN_IF_ERROR(st);
  while (idx.has()) {
    DREDGE_RETURN_IF_ERROR(gone_from_index(idx.row()));
    DREDGE_RETURN_IF_ERROR(idx.Advance());
  }
  while (remote.has()) {
    DREDGE_RETURN_IF_ERROR(gone_from_listing(remote.row()));
    DREDGE_RETURN_IF_ERROR(remote.Advance());
  }
  return plan;
}

Result<GuardResult> EvaluateDamageGuard(Plan& plan, const std::string& source,
                                        double max_change_pct, int workers,
                                        const std::string& tmp_dir) {
  GuardResult g;
  g.previous = plan.previous;
  g.removed = plan.removed->count();
  auto counts_as_change = [](const WorkItem& w) { return w.has_prev && !w.prev_removed; };
  DREDGE_RETURN_IF_ERROR(ForEachWorkItem(*plan.work, [&](WorkItem& w) {
    if (counts_as_change(w)) ++g.changed;
    return Status::Ok();
  }));
  auto over = [&] {
    return g.previous > 0 && static_cast<double>(g.changed + g.removed) * 100.0 >
                                 max_change_pct * static_cast<double>(g.previous);
  };
  if (!over()) return g;
  // The cheap estimate tripped: a mass touch or a lost index looks like change. Hash the
  // candidates whose size did not change to see whether their content did. The items are
  // rewritten with their md5 so the upload does not hash them again.
  std::atomic<uint64_t> same{0};
  DREDGE_ASSIGN_OR_RETURN(auto refined, RecordSpill::Create(tmp_dir));
  std::mutex mu;
  Status append_status = Status::Ok();
  auto append = [&](const WorkItem& w) {
    std::lock_guard lock(mu);
    if (append_status.ok()) append_status = refined->Append(EncodeWorkItem(w));
  };
  Status st;
  {
    ThreadPool pool(workers > 0 ? workers : 1, 64);
    st = ForEachWorkItem(*plan.work, [&](WorkItem& item) {
      if (!counts_as_change(item) || item.size != item.prev_size) {
        append(item);
        return Status::Ok();
      }
      pool.Submit([w = item, &source, &same, &append]() mutable {
        auto md5 = Md5HexOfFile(source + "/" + w.path);
        auto now = md5.ok() ? StatFile(source + "/" + w.path) : Result<WalkEntry>(md5.status());
        if (md5.ok() && now.ok() && now->size == w.size && now->mtime_ns == w.mtime_ns) {
          w.md5 = *md5;
          if (w.md5 == w.prev_md5) same.fetch_add(1);
        }
        append(w);
      });
      return Status::Ok();
    });
    pool.Wait();
  }
  DREDGE_RETURN_IF_ERROR(st);
  DREDGE_RETURN_IF_ERROR(append_status);
  plan.work = std::move(refined);
  g.changed -= same.load();
  if (!over()) return g;
  g.tripped = true;
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.1f", 100.0 * (g.changed + g.removed) / g.previous);
  g.message = "damage guard: this run would change " + std::to_string(g.changed) + " and remove " +
              std::to_string(g.removed) + " of " + std::to_string(g.previous) +
              " previously backed-up files (" + pct + " %, more than --max-change " +
              std::to_string(static_cast<int>(max_change_pct)) +
              " %); nothing was written. If the source is healthy (not encrypted, truncated or "
              "unmounted), rerun with --force";
  return g;
}

}  // namespace dredge
