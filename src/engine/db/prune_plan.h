// The database-tier prune planner: reads manifests, retired copies, the chunk listing and, on a
// versioned store, the version listing with lock dates, and decides (prune.h's contract),
// writing nothing. ExecuteDbPrune (prune.h) carries a plan out; a dry run reports the plan.
//
// Locks (docs/object-lock.md "Prune around locks"): a manifest the policy drops whose version a
// lock still holds is kept as a restore point (with its whole chain and chunks), so every
// manifest the store still lists restores; a chunk or retired copy the plan removes whose
// version is locked stays (and is planned again by the next prune). Locked versions are listed
// in `*.locked`, never tried.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/prune_plan.h"
#include "engine/retention.h"
#include "formats/manifest.h"
#include "store/object_store.h"

namespace dredge {

struct DbRestorePoint {
  std::string id;        // backup_manifest_YYYYMMDD_HHMMSS
  int64_t unix_seconds;  // the time in its name (UTC)
};

// The retention rules, as the caller applies them: given every restore point (oldest first),
// the ids to keep. Ids that name no restore point are ignored.
using DbKeepPolicy = std::function<std::vector<std::string>(const std::vector<DbRestorePoint>&)>;

// Keeps the newest `n` restore points (the simplest policy; tests and a fallback).
DbKeepPolicy KeepLastManifests(size_t n);

// The retention rules of engine/retention.h applied to manifests. When `kept` is given it
// receives the kept points with the rules that kept each (newest first). Should the rules refuse
// the listing (duplicate ids), every point is kept: a prune must never delete on a doubt.
DbKeepPolicy KeepByRetention(const RetentionPolicy& policy,
                             std::vector<RetentionDecision::Kept>* kept = nullptr);

struct DbPrunePlan {
  int64_t now_s = 0;
  bool versioned = false;
  std::vector<std::string> kept;                // manifest ids, oldest first (locked ones too)
  std::vector<std::string> locked_ids;          // manifests the policy drops that a lock keeps
  std::vector<LockedVersion> locked_manifests;  // their locked versions (manifest and chunks)
  std::vector<RunManifest> retired_copies;      // to write under retired/, only needed chunks
  std::vector<std::string> retired;             // ids moved to retired/
  std::vector<std::string> deleted_manifests;   // ids removed entirely
  std::vector<std::string> deleted_chunks;      // keys (locked ones not among them)
  uint64_t deleted_chunk_bytes = 0;
  uint64_t debris_chunks = 0;  // of deleted_chunks: listed by no manifest
  PruneTargets manifests;      // dropped originals, then retired copies nobody needs
  PruneTargets chunks;

  LockSummary Locks() const;
};

Result<DbPrunePlan> PlanDbPrune(ObjectStore& store, const DbKeepPolicy& keep, int64_t now_s);

}  // namespace dredge
