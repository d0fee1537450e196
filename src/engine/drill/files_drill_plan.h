// What the files half of `dredge drill` will do, decided before anything is restored (planner →
// plan value → executor, engine/drill/files_drill.h): the snapshot, its totals and the seeded
// sample of its entries (engine/drill/sample.h), with the place each sampled file's bytes are
// read from.
//
// What a caller may rely on:
// - PlanFilesDrill is pure: the same snapshot id, entries (in any order) and options give the
//   same plan; it reads no store, file or clock. FilesDrillPlanner takes the entries one at a
//   time (memory bounded by the sample, not the snapshot) and gives the same plan.
// - The sample holds at most `sample_count` entries whose sizes add up to at most
//   `sample_bytes` (an entry larger than what is left is passed over), sorted by path; an empty
//   snapshot, or one whose every file is larger than `sample_bytes`, gives an empty sample.
// - Each sampled file names where the restore reads it (docs/formats/snapshot.md, "Where a
//   file's bytes are"): `version_id` of `key` when the entry names a version, else `key` when it
//   holds the recorded MD5, else the preserved content at `content_key`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/progress.h"
#include "engine/drill/sample.h"
#include "engine/restore_point_select.h"
#include "formats/snapshot.h"

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

struct DrillSampleFile {
  SnapshotEntry entry;      // path, size, mtime, md5 and version as the snapshot records them
  std::string key;          // the data object at the file's path (file_keys::DataKey)
  std::string content_key;  // its preserved content (file_keys::ContentKey of the MD5)
};

struct FilesDrillPlan {
  std::string snapshot;
  uint64_t snapshot_files = 0, snapshot_bytes = 0;  // the whole snapshot's
  std::vector<DrillSampleFile> sample;              // sorted by path
  uint64_t sample_bytes = 0;                        // the sample's sizes added up
  uint64_t seed = 0;
  std::string source;          // compared with when not empty
  std::string scratch_parent;  // where the temporary directory will be made ("": $TMPDIR)
  bool keep = false;           // leave the restored sample in place

  bool CompareSource() const { return !source.empty(); }
};

// Streams a snapshot's entries into a plan (see the header).
class FilesDrillPlanner {
 public:
  FilesDrillPlanner(std::string snapshot, const FilesDrillOptions& o);
  void Offer(const SnapshotEntry& e);
  FilesDrillPlan Finish();  // call once

 private:
  FilesDrillPlan plan_;
  Sampler<SnapshotEntry> sampler_;
};

FilesDrillPlan PlanFilesDrill(const std::string& snapshot,
                              const std::vector<SnapshotEntry>& entries,
                              const FilesDrillOptions& o);

}  // namespace dredge
