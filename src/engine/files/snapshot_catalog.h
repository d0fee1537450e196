// Finds the snapshots of a destination (.dredge/snapshots/). Snapshot names sort by time, so the
// listing's order is their order. (Choosing one: engine/files/snapshot_select.h.)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/object_store.h"

namespace dredge {

struct SnapshotRef {
  std::string id;
  int64_t time_s = 0;  // UTC seconds from the name (when the run finished)
  uint64_t size = 0;   // bytes of the snapshot document
};

// Ascending by time. Objects under the prefix that are not snapshots are ignored.
Result<std::vector<SnapshotRef>> ListSnapshots(ObjectStore& store);

}  // namespace dredge
