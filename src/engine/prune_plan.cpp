#include "engine/prune_plan.h"

#include <algorithm>
#include <mutex>

#include "common/log.h"
#include "common/plural.h"
#include "common/progress.h"
#include "common/thread_pool.h"
#include "common/time_util.h"

namespace dredge {
namespace {

constexpr size_t kMaxFailureNames = 1000;

}  // namespace

Result<VersionMap> VersionMap::Load(ObjectStore& store, std::string_view prefix, int64_t now_s) {
  VersionMap m;
  m.now_s_ = now_s;
  DREDGE_ASSIGN_OR_RETURN(Versioning state, VersioningOf(store));
  if (state == Versioning::kNone) return m;
  m.versioned_ = true;
  Status st = ListVersions(store, prefix, [&](const VersionInfo& v) {
    m.by_key_[v.key].push_back(v);
    return Status::Ok();
  });
  if (!st.ok())
    return st.WithContext("cannot list the object versions of " + store.Describe() +
                          " (a prune on a versioned bucket removes versions by id and needs "
                          "s3:ListBucketVersions and s3:DeleteObjectVersion); nothing was deleted");
  return m;
}

const std::vector<VersionInfo>& VersionMap::Of(const std::string& key) const {
  static const std::vector<VersionInfo> kNone;
  auto it = by_key_.find(key);
  return it == by_key_.end() ? kNone : it->second;
}

Result<bool> VersionMap::ExpandVersion(ObjectStore& store, const VersionInfo& v,
                                       const std::string& kind, PruneTargets& out) const {
  if (!v.delete_marker) {
    std::string id = v.key + "\n" + v.version_id;
    auto it = stats_.find(id);
    if (it == stats_.end()) it = stats_.emplace(id, StatVersion(store, v.key, v.version_id)).first;
    const Result<ObjectInfo>& info = it->second;
    if (!info.ok() && !info.status().Is(ErrorKind::kNotFound))
      return info.status().WithContext("cannot read the retention of '" + v.key + "' version " +
                                       v.version_id + "; prune stops before deleting anything");
    // A retain-until in this very second still holds: never try a removal the store refuses.
    if (info.ok() && info->lock_retain_until >= now_s_) {
      out.locked.push_back(
          {v.key, v.version_id, v.size, kind, info->lock_mode, info->lock_retain_until});
      return true;
    }
    if (!info.ok()) return false;  // gone meanwhile: nothing to remove
  }
  out.remove.push_back({v.key, v.version_id, v.size, kind});
  return false;
}

Result<size_t> VersionMap::Expand(ObjectStore& store, const std::string& key, uint64_t size,
                                  const std::string& kind, const std::set<std::string>& keep_ids,
                                  PruneTargets& out) const {
  if (!versioned_) {
    out.remove.push_back({key, "", size, kind});
    return size_t{0};
  }
  size_t locked = 0, stays = 0;
  PruneTargets mine;
  for (const VersionInfo& v : Of(key)) {
    if (keep_ids.count(v.version_id)) {
      ++stays;
      continue;
    }
    DREDGE_ASSIGN_OR_RETURN(bool held, ExpandVersion(store, v, kind, mine));
    locked += held ? 1 : 0;
  }
  // A delete marker goes only with the whole key: over a version that stays it keeps the key
  // deleted, as the run that removed it left it.
  for (auto& t : mine.remove) {
    bool marker = false;
    for (const VersionInfo& v : Of(key))
      if (v.version_id == t.version_id) marker = v.delete_marker;
    if (!marker || stays + locked == 0) out.remove.push_back(std::move(t));
  }
  for (auto& l : mine.locked) out.locked.push_back(std::move(l));
  return locked;
}

LockSummary SummarizeLocks(const std::vector<LockedVersion>& locked) {
  LockSummary s;
  for (const auto& l : locked) {
    ++s.objects;
    s.bytes += l.size;
    if (s.earliest == 0 || l.retain_until < s.earliest) s.earliest = l.retain_until;
    s.latest = std::max(s.latest, l.retain_until);
  }
  return s;
}

std::string LockLine(const LockSummary& s) {
  if (s.objects == 0) return "";
  std::string line = "kept " + Plural(s.objects, "object") + " (" + HumanBytes(s.bytes) +
                     ") locked until " + FormatIsoUtc(s.latest);
  if (s.earliest != s.latest) line += " (the first lock ends " + FormatIsoUtc(s.earliest) + ")";
  return line + "; a prune after that date removes " + (s.objects == 1 ? "it" : "them");
}

RemovalResult ExecuteRemovals(ObjectStore& store, const std::vector<PruneTarget>& targets,
                              int workers, const std::function<void(const PruneTarget&)>& done) {
  RemovalResult r;
  std::mutex mu;
  auto remove_one = [&](const PruneTarget& t) {
    Status st =
        t.version_id.empty() ? store.Remove(t.key) : RemoveVersion(store, t.key, t.version_id);
    std::lock_guard lock(mu);
    if (!st.ok()) {
      ++r.failed;
      std::string msg = "cannot delete '" + t.key + "'" +
                        (t.version_id.empty() ? "" : " (version " + t.version_id + ")") + ": " +
                        st.message();
      log::Warn(msg);
      if (r.failures.size() < kMaxFailureNames) r.failures.push_back(std::move(msg));
      return;
    }
    ++r.removed;
    if (done) done(t);
  };
  int n = workers > 0 ? workers : 1;
  if (n == 1 || targets.size() < 2) {
    for (const auto& t : targets) remove_one(t);
    return r;
  }
  ThreadPool pool(n, 4 * n);
  for (const auto& t : targets) pool.Submit([&remove_one, &t] { remove_one(t); });
  pool.Wait();
  return r;
}

}  // namespace dredge
