// What changed between two files-tier snapshots, by path and content (size and MD5; an mtime
// alone is no change, as a backup sees it):
//   added    a path only the newer snapshot has
//   removed  a path only the older one has
//   changed  a path both have, with different content
//   renamed  a removed path and an added path with the same content (size and MD5), paired in
//            path order; such a pair is listed only as a rename, not as added + removed
// `dredge diff` prints it, and `dredge snapshots` counts it between neighbours, so both say the
// same. Only the snapshot records are read, never the data objects.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/files/glob.h"
#include "engine/files/snapshot_catalog.h"
#include "formats/snapshot.h"
#include "store/object_store.h"

namespace dredge {

struct SnapshotChange {
  SnapshotEntry before, after;
};

struct SnapshotDiff {
  std::vector<SnapshotEntry> added, removed;  // ascending by path
  std::vector<SnapshotChange> changed;        // ascending by path
  std::vector<SnapshotChange> renamed;        // ascending by the old path
  uint64_t unchanged = 0;
  // added + removed + changed + renamed: the files a restore of one over the other touches.
  uint64_t Count() const { return added.size() + removed.size() + changed.size() + renamed.size(); }
};

// Both inputs ascending by path bytes (as snapshots store them), paths unique.
SnapshotDiff DiffEntries(const std::vector<SnapshotEntry>& before,
                         const std::vector<SnapshotEntry>& after);

// Reads every entry of snapshot `id` that `filter` selects (ascending by path) and its header.
Result<std::vector<SnapshotEntry>> LoadSnapshotEntries(ObjectStore& store, const std::string& id,
                                                       const PathFilter& filter,
                                                       SnapshotHeader* header = nullptr);

// The difference from snapshot `before` to snapshot `after`, limited to paths `filter` selects.
Result<SnapshotDiff> DiffSnapshots(ObjectStore& store, const std::string& before,
                                   const std::string& after, const PathFilter& filter);

// One line of `dredge snapshots`: the snapshot's own totals and how many files differ from the
// snapshot listed before it (its whole file count for the first).
struct SnapshotSummary {
  SnapshotRef ref;
  std::string host;
  uint64_t files = 0, bytes = 0, changed = 0;
};

// Reads each snapshot of `ascending` once, keeping only the previous one's entries in memory.
Result<std::vector<SnapshotSummary>> SummarizeSnapshots(ObjectStore& store,
                                                        const std::vector<SnapshotRef>& ascending);

}  // namespace dredge
