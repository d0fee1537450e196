// Prune for the files tier: retire the snapshots a retention policy does not keep, and delete the
// objects only they needed.
//
// What a caller may rely on:
// - Every kept snapshot stays restorable. An object is deleted only when no kept snapshot needs
//   it: a kept entry (path, md5) needs the data object at its path when that object holds md5,
//   else `.dredge/content/<md5>` (the resolution rule of docs/formats/snapshot.md).
// - The newest snapshot is always kept (retention.h), so nothing still current in the source is
//   deleted.
// - Data objects are deleted only when a retiring snapshot names them with their current MD5:
//   objects no snapshot ever recorded (a backup in progress or killed, objects that were in the
//   bucket before dredge) are left alone, as is anything of unknown MD5.
// - `.dredge/content/` objects that no kept snapshot needs are deleted (old replaced content and
//   what aborted runs preserved). Nothing else under `.dredge/` is touched except snapshots being
//   retired and this tier's own prune records.
// - Order: a prune record naming the retiring snapshots is written first
//   (docs/formats/prune-record.md), then objects are deleted, then the retiring snapshots. A run
//   that dies part-way leaves every other snapshot intact; the next prune finishes retiring the
//   named snapshots whatever its own policy. If any object cannot be deleted, no snapshot is
//   deleted and the result counts the failures (the command exits 3).
// - dry_run reads the store (listing, snapshots) and reports exactly what would go, through
//   `on_remove`, and writes or deletes nothing.
// - A prune must not run while a backup of the same destination runs (the destination lock's
//   job): a concurrent backup could rely on an object the prune is deleting.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/progress.h"
#include "common/status.h"
#include "engine/files/prune_plan.h"
#include "engine/prune_plan.h"
#include "engine/retention.h"
#include "store/object_store.h"

namespace dredge {

struct PruneOptions {
  RetentionPolicy policy;
  bool dry_run = false;
  int workers = 8;  // parallel deletes
  std::string host;
  int64_t now_s = 0;  // the clock retention is judged by (Unix seconds); 0: now
  // Called once per object (on a versioned store: per version) that goes, or would go with
  // dry_run, from one thread, in plan order: data, content and noncurrent versions, snapshots,
  // old prune records. PruneTarget (engine/prune_plan.h) has the key, version id, size, kind.
  std::function<void(const PruneTarget&)> on_remove;
  // When set (not for dry runs): data and content objects deleted, out of those that go.
  Progress* progress = nullptr;
};

struct PruneSummary {
  std::vector<RetentionDecision::Kept> kept;   // newest first, with the rules that kept each
  std::vector<std::string> removed_snapshots;  // ids, newest first
  std::vector<std::string> forced_retiring;    // named by an unfinished earlier prune
  uint64_t data_objects_removed = 0;
  uint64_t content_objects_removed = 0;
  uint64_t noncurrent_versions_removed = 0;  // versioned stores (prune_plan.h)
  uint64_t bytes_freed = 0;              // data + content objects (snapshot documents not counted)
  uint64_t failed = 0;                   // deletions that failed (named in failures)
  uint64_t unresolved_kept_entries = 0;  // kept entries already missing before this prune
  std::string record;                    // prune record id; empty for dry run / nothing to do
  std::vector<std::string> failures;
  LockSummary locked;  // versions a lock holds: kept, never tried (not failures)
  uint64_t objects_removed() const {
    return data_objects_removed + content_objects_removed + noncurrent_versions_removed;
  }
};

// Plans (prune_plan.h) and, unless dry_run, executes: the two steps below in one call.
Result<PruneSummary> PruneFiles(ObjectStore& store, const PruneOptions& opts);

// What a plan would do, as the summary a run reports (on_remove called for each removal and
// snapshot document, in order); nothing is written.
PruneSummary DryRunSummary(const FilesPrunePlan& plan, const PruneOptions& opts);
// Carries a plan out (the order and failure rules above). opts.policy and opts.dry_run are not
// read: the plan holds the decision.
Result<PruneSummary> ExecuteFilesPrune(ObjectStore& store, const FilesPrunePlan& plan,
                                       const PruneOptions& opts);

// A token that changes whenever a prune deletes anything (the record id held by
// .dredge/prunes/latest); "" when no prune ever did. One small GET. Backups compare it with what
// their state index last saw (docs/formats/prune-record.md).
Result<std::string> PruneToken(ObjectStore& store);
// The id of the newest prune record in the store, "" when there is none (one LIST).
Result<std::string> NewestPruneRecord(ObjectStore& store);

}  // namespace dredge
