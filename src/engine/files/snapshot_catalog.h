// Finds the snapshots of a destination (.dredge/snapshots/) and picks one: by id, the newest at
// or before a time (--as-of), or the newest. Snapshot names sort by time, so the listing's order
// is their order. NotFound, naming the destination, when there is none to pick.
#pragma once

#include <cstdint>
#include <optional>
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

// `id` (any form ParseSnapshotId accepts) wins over `as_of_ns`; neither → the newest.
Result<std::string> ChooseSnapshot(ObjectStore& store, const std::string& id,
                                   std::optional<int64_t> as_of_ns);

}  // namespace dredge
