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

namespace {

// Where a walked file stands against the index and the listing, and what it needs.
struct MergeFlags {
  bool listing_is_base = false;      // empty index: the listing records the previous backup
  bool verify_with_listing = false;  // the listing vouches for what the index says is stored
};

// True when the index holds the file as stored with the same size, mtime and inode.
bool StatSame(const WalkEntry& e, const IndexRow* in_idx) {
  return in_idx && !in_idx->removed && in_idx->size == e.size && in_idx->mtime_ns == e.mtime_ns &&
         in_idx->inode == e.inode;
}

// True when the file is unchanged in the source and (where the listing is consulted) stored as
// the index says; such a file needs no work.
bool Unchanged(const WalkEntry& e, const IndexRow* in_idx, const IndexRow* in_list,
               const MergeFlags& f) {
  const bool stat_same = StatSame(e, in_idx);
  // After a killed run or a prune, the index may describe objects that are not (or no longer)
  // stored: only the listing vouches for them.
  const bool stored =
      !f.verify_with_listing || (stat_same && in_list && in_list->size == in_idx->size &&
                                 (!IsPlainMd5(in_list->md5) || in_list->md5 == in_idx->md5));
  return stat_same && stored;
}

// The work item of a changed or new file, with what was stored before it (for the guard).
WorkItem MakeWorkItem(const WalkEntry& e, const IndexRow* in_idx, const IndexRow* in_list,
                      const MergeFlags& f) {
  WorkItem w;
  w.path = e.rel_path;
  w.size = e.size;
  w.mtime_ns = e.mtime_ns;
  w.inode = e.inode;
  const bool stat_same = StatSame(e, in_idx);
  const IndexRow* prev = f.verify_with_listing ? in_list : (in_idx ? in_idx : in_list);
  if (!prev) return w;
  w.has_prev = true;
  w.prev_md5 = prev->md5;
  w.prev_size = prev->size;
  w.prev_from_listing = prev == in_list;
  if (f.verify_with_listing)  // only a file that changed in the source counts for the guard
    w.prev_removed = !in_idx || in_idx->removed || stat_same;
  else if (prev == in_idx)
    w.prev_removed = in_idx->removed;
  else  // stored by an unfinished run: not a change
    w.prev_removed = !f.listing_is_base;
  return w;
}

// Merges the sorted walk with the sorted index and listing into a Plan.
class PlanMerge {
 public:
  PlanMerge(Plan& plan, const PathFilter& filter, MergeFlags flags,
            std::unique_ptr<StateIndex::Cursor> idx, std::unique_ptr<StateIndex::Cursor> remote)
      : plan_(plan), filter_(filter), f_(flags), idx_(std::move(idx)), remote_(std::move(remote)) {}

  Status Start() {
    DREDGE_RETURN_IF_ERROR(idx_.Advance());
    return remote_.Advance();
  }

  Status OnEntry(const WalkEntry& e) {
    ++plan_.scanned;
    plan_.scanned_bytes += e.size;
    DREDGE_RETURN_IF_ERROR(PassBefore(&e.rel_path));
    const IndexRow* in_idx = idx_.has() && idx_.row().path == e.rel_path ? &idx_.row() : nullptr;
    const IndexRow* in_list =
        remote_.has() && remote_.row().path == e.rel_path ? &remote_.row() : nullptr;
    if (in_idx && !in_idx->removed) ++plan_.previous;
    if (!in_idx && in_list && f_.listing_is_base) ++plan_.previous;
    if (Unchanged(e, in_idx, in_list, f_)) {
      ++plan_.unchanged;
    } else {
      plan_.work_bytes += e.size;
      DREDGE_RETURN_IF_ERROR(
          plan_.work->Append(EncodeWorkItem(MakeWorkItem(e, in_idx, in_list, f_))));
    }
    if (in_idx) DREDGE_RETURN_IF_ERROR(idx_.Advance());
    if (in_list) DREDGE_RETURN_IF_ERROR(remote_.Advance());
    return Status::Ok();
  }

  // Rows of the index and listing before `path` (all of them when null) are gone from the source.
  Status PassBefore(const std::string* path) {
    while (idx_.has() && (!path || idx_.row().path < *path)) {
      DREDGE_RETURN_IF_ERROR(GoneFromIndex(idx_.row()));
      DREDGE_RETURN_IF_ERROR(idx_.Advance());
    }
    while (remote_.has() && (!path || remote_.row().path < *path)) {
      DREDGE_RETURN_IF_ERROR(GoneFromListing(remote_.row()));
      DREDGE_RETURN_IF_ERROR(remote_.Advance());
    }
    return Status::Ok();
  }

 private:
  Status GoneFromIndex(const IndexRow& r) {
    if (r.removed || !filter_.Selects(r.path)) return Status::Ok();
    ++plan_.previous;
    return plan_.removed->Append(r.path);
  }
  Status GoneFromListing(const IndexRow& r) {
    if (!f_.listing_is_base) return Status::Ok();
    DREDGE_RETURN_IF_ERROR(plan_.listed_only->Append(EncodeIndexRow(r)));
    if (!filter_.Selects(r.path)) return Status::Ok();
    ++plan_.previous;
    return plan_.removed->Append(r.path);
  }

  Plan& plan_;
  const PathFilter& filter_;
  MergeFlags f_;
  PeekCursor idx_, remote_;
};

void NoteWalkIssue(Plan& plan, const WalkIssue& issue) {
  if (!issue.error) {
    log::Warn(issue.rel_path + ": " + issue.message);
    return;
  }
  ++plan.walk_errors;
  if (plan.walk_error_names.size() < 1000) plan.walk_error_names.push_back(issue.rel_path);
  log::Warn("cannot back up " + issue.rel_path + ": " + issue.message);
}

}  // namespace

Result<Plan> BuildPlan(StateIndex& index, const std::string& source, const PathFilter& filter,
                       bool use_listing, const std::string& tmp_dir) {
  Plan plan;
  plan.used_listing = use_listing;
  DREDGE_ASSIGN_OR_RETURN(plan.work, RecordSpill::Create(tmp_dir));
  DREDGE_ASSIGN_OR_RETURN(plan.removed, RecordSpill::Create(tmp_dir));
  DREDGE_ASSIGN_OR_RETURN(plan.listed_only, RecordSpill::Create(tmp_dir));
  DREDGE_ASSIGN_OR_RETURN(auto idx_cursor, index.OpenCursor(StateIndex::Table::kFiles));
  DREDGE_ASSIGN_OR_RETURN(uint64_t index_rows, index.Count(StateIndex::Table::kFiles));
  std::unique_ptr<StateIndex::Cursor> remote_cursor;
  if (use_listing) {
    DREDGE_ASSIGN_OR_RETURN(remote_cursor, index.OpenCursor(StateIndex::Table::kRemote));
  }
  MergeFlags flags;
  flags.listing_is_base = index_rows == 0;
  flags.verify_with_listing = use_listing && !flags.listing_is_base;
  PlanMerge merge(plan, filter, flags, std::move(idx_cursor), std::move(remote_cursor));
  DREDGE_RETURN_IF_ERROR(merge.Start());
  DREDGE_RETURN_IF_ERROR(WalkTree(
      source, filter, [&](const WalkEntry& e) { return merge.OnEntry(e); },
      [&](const WalkIssue& issue) { NoteWalkIssue(plan, issue); }));
  DREDGE_RETURN_IF_ERROR(merge.PassBefore(nullptr));
  return plan;
}

namespace {

bool CountsAsChange(const WorkItem& w) {
  return w.has_prev && !w.prev_removed;
}

bool OverLimit(const GuardResult& g, double max_change_pct) {
  return g.previous > 0 && static_cast<double>(g.changed + g.removed) * 100.0 >
                               max_change_pct * static_cast<double>(g.previous);
}

// Hashes the candidate changes whose size did not change (a mass touch or a lost index looks
// like change) and rewrites plan.work with their md5, so the upload does not hash them again.
// Returns how many turned out to hold the same content as before.
Result<uint64_t> RefineByContent(Plan& plan, const std::string& source, int workers,
                                 const std::string& tmp_dir) {
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
      if (!CountsAsChange(item) || item.size != item.prev_size) {
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
  return same.load();
}

std::string GuardMessage(const GuardResult& g, double max_change_pct) {
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.1f", 100.0 * (g.changed + g.removed) / g.previous);
  return "damage guard: this run would change " + std::to_string(g.changed) + " and remove " +
         std::to_string(g.removed) + " of " + std::to_string(g.previous) +
         " previously backed-up files (" + pct + " %, more than --max-change " +
         std::to_string(static_cast<int>(max_change_pct)) +
         " %); nothing was written. If the source is healthy (not encrypted, truncated or "
         "unmounted), rerun with --force";
}

}  // namespace

Result<GuardResult> EvaluateDamageGuard(Plan& plan, const std::string& source,
                                        double max_change_pct, int workers,
                                        const std::string& tmp_dir) {
  GuardResult g;
  g.previous = plan.previous;
  g.removed = plan.removed->count();
  DREDGE_RETURN_IF_ERROR(ForEachWorkItem(*plan.work, [&](WorkItem& w) {
    if (CountsAsChange(w)) ++g.changed;
    return Status::Ok();
  }));
  if (!OverLimit(g, max_change_pct)) return g;
  // The cheap estimate tripped: look at the content of the files whose size stayed.
  DREDGE_ASSIGN_OR_RETURN(uint64_t same, RefineByContent(plan, source, workers, tmp_dir));
  g.changed -= same;
  if (!OverLimit(g, max_change_pct)) return g;
  g.tripped = true;
  g.message = GuardMessage(g, max_change_pct);
  return g;
}

}  // namespace dredge
