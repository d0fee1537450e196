#include "engine/files/planner.h"

#include <atomic>

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

Result<Plan> BuildPlan(StateIndex& index, const std::string& source, const PathFilter& filter,
                       bool use_listing) {
  Plan plan;
  plan.used_listing = use_listing;
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

  auto gone_from_index = [&](const IndexRow& r) {
    if (r.removed || !filter.Selects(r.path)) return;
    ++plan.previous;
    plan.removed.push_back(r.path);
  };
  auto gone_from_listing = [&](const IndexRow& r) {
    if (!listing_is_base) return;
    plan.listed_only.push_back(r);
    if (!filter.Selects(r.path)) return;
    ++plan.previous;
    plan.removed.push_back(r.path);
  };

  Status st = WalkTree(
      source, filter,
      [&](const WalkEntry& e) -> Status {
        ++plan.scanned;
        plan.scanned_bytes += e.size;
        while (idx.has() && idx.row().path < e.rel_path) {
          gone_from_index(idx.row());
          DREDGE_RETURN_IF_ERROR(idx.Advance());
        }
        while (remote.has() && remote.row().path < e.rel_path) {
          gone_from_listing(remote.row());
          DREDGE_RETURN_IF_ERROR(remote.Advance());
        }
        const IndexRow* in_idx = idx.has() && idx.row().path == e.rel_path ? &idx.row() : nullptr;
        const IndexRow* in_list =
            remote.has() && remote.row().path == e.rel_path ? &remote.row() : nullptr;
        if (in_idx && !in_idx->removed) ++plan.previous;
        if (!in_idx && in_list && listing_is_base) ++plan.previous;
        if (in_idx && !in_idx->removed && in_idx->size == e.size &&
            in_idx->mtime_ns == e.mtime_ns && in_idx->inode == e.inode) {
          ++plan.unchanged;
        } else {
          WorkItem w;
          w.path = e.rel_path;
          w.size = e.size;
          w.mtime_ns = e.mtime_ns;
          w.inode = e.inode;
          if (in_idx) {
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
          plan.work.push_back(std::move(w));
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
    gone_from_index(idx.row());
    DREDGE_RETURN_IF_ERROR(idx.Advance());
  }
  while (remote.has()) {
    gone_from_listing(remote.row());
    DREDGE_RETURN_IF_ERROR(remote.Advance());
  }
  return plan;
}

GuardResult EvaluateDamageGuard(Plan& plan, const std::string& source, double max_change_pct,
                                int workers) {
  GuardResult g;
  g.previous = plan.previous;
  g.removed = plan.removed.size();
  auto counts_as_change = [](const WorkItem& w) { return w.has_prev && !w.prev_removed; };
  for (const auto& w : plan.work)
    if (counts_as_change(w)) ++g.changed;
  auto over = [&] {
    return g.previous > 0 && static_cast<double>(g.changed + g.removed) * 100.0 >
                                 max_change_pct * static_cast<double>(g.previous);
  };
  if (!over()) return g;
  // The cheap estimate tripped: a mass touch or a lost index looks like change. Hash the
  // candidates whose size did not change to see whether their content did.
  std::atomic<uint64_t> same{0};
  {
    ThreadPool pool(workers > 0 ? workers : 1, 64);
    for (auto& w : plan.work) {
      if (!counts_as_change(w) || w.size != w.prev_size) continue;
      pool.Submit([&w, &source, &same] {
        auto md5 = Md5HexOfFile(source + "/" + w.path);
        if (!md5.ok()) return;
        auto now = StatFile(source + "/" + w.path);
        if (!now.ok() || now->size != w.size || now->mtime_ns != w.mtime_ns) return;
        w.md5 = *md5;
        if (w.md5 == w.prev_md5) same.fetch_add(1);
      });
    }
    pool.Wait();
  }
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
