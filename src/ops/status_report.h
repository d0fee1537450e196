// What `dredge status` reports for one destination: per tier the run history summary (last
// success, last failure, how many runs) and whether the newest good backup is too old; for the
// store, object and byte totals and the number of file snapshots, DB manifests and chunks (keys
// as formats/file_keys.h and formats/db_keys.h parse them).
//
// GatherStatus reads run records (ops/run_record.h) and lists the whole store once; it never
// writes. The command (commands/status.cpp) decides which destinations and tiers to ask about
// and renders the result.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "ops/run_record.h"
#include "store/object_store.h"

namespace dredge {

struct TierStatus {
  std::string tier;
  LastRuns runs;
  bool expected = false;  // configured (or asked for): a missing success counts as stale
  bool stale = false;     // expected and (no success, or the last one is older than max_age)
  int64_t age_s = -1;     // seconds since the last success ended; -1 = never succeeded
};

struct DestinationStatus {
  std::string url;
  std::string description;  // ObjectStore::Describe()
  Status error;             // opening or reading the store failed (the rest is then empty)
  std::vector<TierStatus> tiers;
  uint64_t objects = 0;
  uint64_t bytes = 0;
  uint64_t snapshots = 0;
  uint64_t manifests = 0;
  uint64_t chunks = 0;
};

struct StatusQuery {
  // Tiers to report, each with whether it is expected at this destination. Tiers not listed
  // here are added when they have run records (reported, not expected).
  std::vector<std::pair<std::string, bool>> tiers;
  int64_t max_age_s = -1;  // -1: staleness not checked
  int64_t now_ns = 0;
};

// Fills everything but url/description/error; store errors are returned.
Status GatherStatus(ObjectStore& store, const StatusQuery& query, DestinationStatus* out);

// "45s", "12m", "3h12m", "2d4h".
std::string FormatAge(int64_t seconds);

}  // namespace dredge
