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
// The report always comes back; its status says how the drill ended: Ok, Mismatch (data does
// not match its records), or the error that stopped it (no snapshot, store unreachable, …).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/progress.h"
#include "common/status.h"
#include "engine/drill/drill_check.h"
#include "engine/restore_point_select.h"
#include "store/object_store.h"

namespace dredge {

struct FilesDrillOptions {
  std::string source;  // empty: no comparison with the source
  uint64_t sample_count = 20;
  uint64_t sample_bytes = uint64_t{1} << 30;
  uint64_t seed = 0;
  std::string scratch_parent;  // where the temporary directory is made; empty: $TMPDIR or /tmp
  bool keep = false;
  int workers = 8;
  // Which snapshot to sample (engine/files/snapshot_select.h); default: the newest.
  RestorePointSelector snapshot;
  Progress* progress = nullptr;  // the sample's restore (files and bytes out of the sample)
};

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

FilesDrillReport RunFilesDrill(ObjectStore& store, const FilesDrillOptions& opts);

}  // namespace dredge
