// The Object Lock lines of `status` and `check` (docs/object-lock.md "status and check"): the
// destination's configured lock mode and, per tier, the earliest retain-until among the newest
// restore point's objects (engine/restore_point_locks.h, bounded requests), with a warning when
// that date falls within the backup interval (status --max-age) or the point is not locked.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/restore_point_locks.h"
#include "store/object_store.h"
#include "store/store_options.h"

namespace dredge {

struct DestLock {
  bool asked = false;  // the destination has a lock configured or keeps versions
  ObjectLockSettings configured;
  std::vector<PointLock> points;
  std::vector<std::string> warnings;
};

// Asks only when `configured` is on or the store keeps versions (else `asked` stays false and
// nothing is requested). `interval_s` < 0: no interval known, no closeness warning.
DestLock GatherDestLock(ObjectStore& store, const ObjectLockSettings& configured,
                        const std::vector<std::string>& tiers, int64_t now_s, int64_t interval_s);

// "snapshot_… locked until 2026-…Z (GOVERNANCE; 17 of 240 objects asked)" and the like.
std::string PointLockText(const PointLock& p);
nlohmann::ordered_json DestLockJson(const DestLock& d);

}  // namespace dredge
