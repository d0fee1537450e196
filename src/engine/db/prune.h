// Pruning the database tier of one destination (docs/db-tier.md, "Prune").
//
// Contract: after PruneDb returns Ok, every manifest the policy kept (and always the newest)
// restores exactly what it restored before, with or without filters. Everything else goes:
//  - manifests the policy did not keep. One that a kept incremental manifest continues from is
//    not a restore point any more but its chain link is still needed: it is moved to
//    database_backups/retired/ (manifest_store.h) listing only the chunks some kept manifest
//    still reads; `manifests`, `restore` and `verify` no longer see it;
//  - chunks no kept manifest reaches: a kept manifest reaches the chunks of its chain that hold
//    the newest version (within the chain, up to it) of at least one key live at it. Chunks are
//    read (and their sha256 checked) to know their keys; a chunk listed by a kept manifest is
//    never removed;
//  - debris: chunks that no manifest lists, numbered after the first chunk any dredge manifest
//    lists and written by a run that started before the newest manifest's run (an aborted run).
//    Chunks of the original StoryDredge script (numbered before dredge's) are never touched,
//    nor is the highest-numbered chunk (the next run numbers after it).
// Crash safety: retired copies are written before originals are removed, and chunks last, so
// a prune that dies part-way leaves every kept point restorable; running it again finishes it.
// The caller must hold the destination's db lock (no backup may run at the same time).
// A damaged chunk in a kept chain stops the prune before anything is deleted (Corrupt).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/progress.h"
#include "common/status.h"
#include "engine/db/prune_plan.h"
#include "engine/retention.h"
#include "store/object_store.h"

namespace dredge {

struct DbPruneReport {
  std::vector<std::string> kept;               // manifest ids, oldest first
  std::vector<std::string> retired;            // ids moved to retired/ (chain links only)
  std::vector<std::string> deleted_manifests;  // ids removed entirely
  std::vector<std::string> deleted_chunks;     // keys
  uint64_t deleted_chunk_bytes = 0;
  uint64_t debris_chunks = 0;                 // of deleted_chunks: listed by no manifest
  std::vector<std::string> locked_manifests;  // ids the policy dropped that a lock keeps
  LockSummary locked;  // versions a lock holds: kept, never tried (not failures)
  bool dry_run = false;
};

// With dry_run nothing is written or removed; the report says what would go.
// `progress` (optional): objects deleted, out of those that go.
// Plans (prune_plan.h) and, unless dry_run, executes. `now_s` 0: the clock.
Result<DbPruneReport> PruneDb(ObjectStore& store, const DbKeepPolicy& keep, bool dry_run,
                              Progress* progress = nullptr, int64_t now_s = 0);

// What the plan decided, as the report a run gives (dry_run set).
DbPruneReport ReportOfPlan(const DbPrunePlan& plan, bool dry_run);
// Carries a plan out: retired copies first, then manifests, then chunks; stops at the first
// removal that fails (the next prune finishes).
Result<DbPruneReport> ExecuteDbPrune(ObjectStore& store, const DbPrunePlan& plan,
                                     Progress* progress = nullptr);

}  // namespace dredge
