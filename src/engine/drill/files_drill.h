// The files half of `dredge drill`: restores a random sample of the newest snapshot into a fresh
// temporary directory through the real restore engine (engine/files/restore.h), then checks
//  - "files sample": every sampled file came back with the size and MD5 its snapshot entry
//    records (re-hashed here from disk, independently of the restore's own check). A file that
//    did not come back is diagnosed against the store: when neither its key nor
//    .dredge/content/<md5> holds the recorded bytes, the backup is damaged (Mismatch, the file
//    named); any other store error is returned as it is (unreachable, refused);
//  - "files source": with a source directory, each sampled file the source still holds with the
//    recorded size and mtime must have the recorded MD5; a file whose size or mtime differs, or
//    that is gone, changed since the backup and is reported, not failed.
// The temporary directory is removed at the end, also on failure, unless `keep`.
// In two steps, so that `drill --dry-run` can stop after the first:
//  - LoadFilesDrillPlan reads: it selects the snapshot, streams its entries through the planner
//    (engine/drill/files_drill_plan.h) and writes nothing;
//  - ExecuteFilesDrill carries a plan out (restore, checks, cleanup) and reports.
// RunFilesDrill is the two in a row. The report always comes back; its status says how the drill
// ended: Ok, Mismatch (data does not match its records), or the error that stopped it (no
// snapshot, store unreachable, …).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/drill/drill_check.h"
#include "engine/drill/files_drill_plan.h"
#include "store/object_store.h"

namespace dredge {

struct FilesDrillProblem {
  std::string path;
  std::string error;
};

struct FilesDrillReport {
  std::string snapshot;
  uint64_t snapshot_files = 0, snapshot_bytes = 0;
  uint64_t sampled = 0, bytes = 0, matched = 0;
  uint64_t source_equal = 0;                  // sampled files equal to the source
  std::vector<FilesDrillProblem> changed;     // changed at the source since the backup (reported)
  std::vector<FilesDrillProblem> mismatched;  // failures, each naming its file
  std::string scratch_dir;
  bool scratch_removed = false;
  std::vector<DrillCheck> checks;
  Status status;
};

// The chosen snapshot (opts.snapshot) and its sample; NotFound when there is no snapshot, the
// store's error when it cannot be read.
Result<FilesDrillPlan> LoadFilesDrillPlan(ObjectStore& store, const FilesDrillOptions& opts);

// Restores `plan`'s sample and checks it (opts: workers and progress; the rest is in the plan).
FilesDrillReport ExecuteFilesDrill(ObjectStore& store, const FilesDrillPlan& plan,
                                   const FilesDrillOptions& opts);

FilesDrillReport RunFilesDrill(ObjectStore& store, const FilesDrillOptions& opts);

}  // namespace dredge
