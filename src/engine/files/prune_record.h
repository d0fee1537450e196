// The files-tier prune record (docs/formats/prune-record.md): written by the executor before its
// first deletion, read by the next planner to finish retiring what an interrupted prune named.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "engine/retention.h"
#include "store/object_store.h"

namespace dredge {

inline constexpr const char* kPruneRecordFormat = "dredge-files-prune";
inline constexpr int kPruneRecordVersion = 1;

struct PruneRecordCounts {
  uint64_t data = 0, content = 0, bytes = 0;
};

// Writes a new record (conditional create, named after the newest of `existing` when the clock
// is behind) naming `retiring`; returns its id.
Result<std::string> WritePruneRecord(ObjectStore& store, const RetentionPolicy& policy,
                                     const std::string& host,
                                     const std::vector<std::string>& existing,
                                     const std::vector<std::string>& retiring,
                                     const PruneRecordCounts& planned);

}  // namespace dredge
