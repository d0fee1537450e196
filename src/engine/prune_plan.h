// What both tiers' prune plans share (docs/object-lock.md, "Prune around locks"): the removals a
// plan carries out, the versions it keeps because Object Lock holds them, how a key to remove
// becomes removals on a versioned store, and the executor that carries removals out.
//
// What a caller may rely on:
// - On a store without versions (VersioningOf kNone: file://, an unversioned bucket) a key to
//   remove is one removal of the key, exactly as before versions existed.
// - On a versioned store a key to remove becomes one removal per version and delete marker of
//   the key (RemoveVersion by id), so the bytes really go instead of hiding behind a new delete
//   marker. A version whose Object Lock retain-until is not in the past (StatVersion, one request
//   per version considered) is never tried: it goes to `locked` with its date.
// - Planning only reads; ExecuteRemovals is the only function here that deletes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/object_store.h"
#include "store/object_versions.h"

namespace dredge {

// One removal: a key (version_id empty) or one version of it.
struct PruneTarget {
  std::string key;
  std::string version_id;
  uint64_t size = 0;
  std::string kind;  // files: data, content, noncurrent, snapshot, record; db: manifest, chunk
};

// A version the plan keeps because its Object Lock retention has not ended.
struct LockedVersion {
  std::string key;
  std::string version_id;
  uint64_t size = 0;
  std::string kind;
  std::string mode;          // GOVERNANCE | COMPLIANCE
  int64_t retain_until = 0;  // Unix seconds
};

// The removals and lock-held versions of a plan, in the order the executor takes them.
struct PruneTargets {
  std::vector<PruneTarget> remove;
  std::vector<LockedVersion> locked;
};

// The versions of every key under a prefix, listed once (V4), for a planner.
class VersionMap {
 public:
  // On a store without versions the map is empty and versioned() is false. `now_s` is the
  // clock the plan judges retention by.
  static Result<VersionMap> Load(ObjectStore& store, std::string_view prefix, int64_t now_s);

  bool versioned() const { return versioned_; }
  int64_t now_s() const { return now_s_; }
  // Versions and delete markers of `key`, newest first (empty when unknown).
  const std::vector<VersionInfo>& Of(const std::string& key) const;
  // Every key with versions, ascending.
  const std::map<std::string, std::vector<VersionInfo>>& keys() const { return by_key_; }

  // Appends the removal of `key` to `out`: unversioned, the key; versioned, every version and
  // delete marker whose id is not in `keep_ids`, locked ones to out.locked; delete markers only
  // when no version of the key stays (kept or locked), so a removed file does not reappear.
  // Returns the number of versions of the key held by a lock.
  Result<size_t> Expand(ObjectStore& store, const std::string& key, uint64_t size,
                        const std::string& kind, const std::set<std::string>& keep_ids,
                        PruneTargets& out) const;
  // Appends the removal of one version (checking its lock); true when it was locked.
  Result<bool> ExpandVersion(ObjectStore& store, const VersionInfo& v, const std::string& kind,
                             PruneTargets& out) const;

 private:
  bool versioned_ = false;
  int64_t now_s_ = 0;
  std::map<std::string, std::vector<VersionInfo>> by_key_;
  // StatVersion answers by "key\nversion id": a version is asked about once per plan.
  mutable std::map<std::string, Result<ObjectInfo>> stats_;
};

// Locked versions summed for a report: "kept 3 objects locked until 2026-01-02T03:04:05Z".
struct LockSummary {
  uint64_t objects = 0;
  uint64_t bytes = 0;
  int64_t earliest = 0;  // the soonest retain-until (0: none)
  int64_t latest = 0;
};
LockSummary SummarizeLocks(const std::vector<LockedVersion>& locked);
// "" when nothing is locked.
std::string LockLine(const LockSummary& s);

struct RemovalResult {
  uint64_t removed = 0;
  uint64_t failed = 0;
  std::vector<std::string> failures;  // "cannot delete 'k' (version v): …", at most 1000
};

// Removes `targets` with `workers` parallel requests; `done` (optional, one thread at a time) is
// called for each removal that succeeded. Failures are counted and named, never stop the rest.
RemovalResult ExecuteRemovals(ObjectStore& store, const std::vector<PruneTarget>& targets,
                              int workers, const std::function<void(const PruneTarget&)>& done);

}  // namespace dredge
