// How long the newest restore point of a tier stays locked (docs/object-lock.md "status and
// check"): the earliest Object Lock retain-until among the objects that point needs, which is
// the moment from which a compromised machine could start deleting it.
//
// What a caller may rely on:
// - Requests are bounded: one LIST of the tier's keys, the newest snapshot (files) or the newest
//   manifest and its chain's manifests (db) read once, and at most `max_stats` + 1 Stat (HEAD)
//   requests: the point's document and its `max_stats` objects with the oldest last-modified
//   (a noncurrent version an entry names, read with StatVersion, counts as oldest).
//   Retention is set at the write to write time + retain and only ever extended, so the oldest
//   objects carry the earliest dates; an object extended since may hide a later-written one with
//   an earlier date, so `earliest` is exact without extension and an upper bound with it.
// - `unlocked` is true when any object asked about carries no retention (or a retain-until in
//   the past): the point can be deleted now.
// - Only reads.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "store/object_store.h"

namespace dredge {

struct PointLock {
  std::string tier;       // "files" | "db"
  std::string point;      // snapshot or manifest id; empty when the tier has none
  uint64_t objects = 0;   // objects the point needs (document included)
  uint64_t asked = 0;     // Stat requests made
  std::string mode;       // mode of the object with the earliest date; "" when none is locked
  int64_t earliest = 0;   // earliest retain-until (Unix seconds) among the locked ones asked
  bool unlocked = false;  // an object asked about is not (or no longer) locked
};

inline constexpr size_t kPointLockStats = 16;

Result<PointLock> NewestFilesPointLock(ObjectStore& store, int64_t now_s,
                                       size_t max_stats = kPointLockStats);
Result<PointLock> NewestDbPointLock(ObjectStore& store, int64_t now_s,
                                    size_t max_stats = kPointLockStats);

}  // namespace dredge
