// The files-tier prune planner: reads the store (snapshots, prune records, the listing and, on a
// versioned store, the version listing with lock dates) and decides, writing nothing. The
// executor (prune.h) carries a plan out; `prune --dry-run` prints the plan and stops.
//
// What a caller may rely on (beside prune.h's contract, which the plan implements):
// - kept: the policy's snapshots with the rules that kept each, and retiring snapshots whose
//   document a lock still holds (reason "locked until <date>"): a snapshot that cannot be
//   removed is kept whole, so everything it references stays too.
// - objects.remove: data and content objects (prune_refs.h), and on a versioned store every
//   version of them (removed by id) plus the noncurrent versions of keys a snapshot names that
//   no kept snapshot references (kind "noncurrent"). Delete markers are left alone unless the
//   plan removes every version of their key (they hide nothing then and go with it).
// - objects.locked / snapshots.locked / records.locked: versions a lock holds (never tried).
// - Every list is in the order the executor takes it: objects, snapshots, records.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/prune_plan.h"
#include "engine/retention.h"
#include "store/object_store.h"

namespace dredge {

struct FilesPrunePlan {
  RetentionPolicy policy;
  int64_t now_s = 0;
  bool versioned = false;
  bool no_snapshots = false;                   // nothing says what is needed: plan is empty
  std::vector<RetentionDecision::Kept> kept;   // newest first (locked ones with their date)
  std::vector<std::string> removed_snapshots;  // by the policy, newest first
  std::vector<std::string> forced_retiring;    // named by an unfinished earlier prune
  std::vector<std::string> existing_records;   // prune record ids, ascending
  PruneTargets objects;                        // data, content, noncurrent
  PruneTargets snapshots;                      // documents of the retiring snapshots
  PruneTargets records;                        // earlier prune records
  uint64_t unresolved_kept_entries = 0;

  // removed_snapshots + forced_retiring (what the prune record names).
  std::vector<std::string> Retiring() const;
  uint64_t Count(const std::string& kind) const;  // objects.remove of that kind
  uint64_t Bytes() const;                         // of objects.remove
  LockSummary Locks() const;                      // over the three locked lists
  bool Empty() const;  // nothing to remove (locked versions may still be reported)
};

// `now_s`: the clock retention is judged by (Unix seconds).
Result<FilesPrunePlan> PlanFilesPrune(ObjectStore& store, const RetentionPolicy& policy,
                                      int64_t now_s);

// Prune record ids in the store, ascending by name (= by time).
Result<std::vector<std::string>> ListPruneRecords(ObjectStore& store);

}  // namespace dredge
