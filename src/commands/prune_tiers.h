// One tier's prune on one open destination, as `dredge prune` runs it (commands/prune.h).
//
// Each function takes the tier's run lock (unless dry_run), prunes, logs what it kept and what
// went (human lines on stderr), releases the lock and returns the tier's JSON counts with the
// outcome. A failure is logged once here; the caller only combines exit codes.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "engine/retention.h"
#include "store/object_store.h"

namespace dredge {

struct TierPruneRequest {
  RetentionPolicy policy;
  bool dry_run = false;
  bool json = false;   // collect deleted keys for the JSON output
  bool quiet = false;  // no progress line
  int workers = 8;
  // Incomplete uploads older than this that no live run owns are aborted (not in a dry run).
  std::chrono::seconds abort_incomplete_after{24 * 3600};
};

struct TierPruneOutcome {
  Status status;
  nlohmann::json json;  // the tier's counts ({"error": ...} added on failure)
};

TierPruneOutcome PruneFilesTier(const std::shared_ptr<ObjectStore>& store,
                                const TierPruneRequest& req);
TierPruneOutcome PruneDbTier(const std::shared_ptr<ObjectStore>& store,
                             const TierPruneRequest& req);

}  // namespace dredge
