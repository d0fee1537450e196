// Retention extension (docs/object-lock.md, "Retention extension"): after a backup under
// Object Lock, every object version the new restorable point references whose retain-until
// falls before start + retain is given start + 1.5 × retain (PutObjectRetention), where
// `now_unix` below is the run's start (what the run itself wrote is locked a retain past its
// write, so it is not due). So every version the newest point needs is locked at least as long
// as that point's own record (for runs shorter than half the retain), and every point inside
// the retention window stays whole although its oldest objects were written long ago.
//
// What a caller may rely on:
//  - Retention is only ever extended: a version whose retain-until (as known, or as the store
//    says) is at or after now + retain gets no request, and the new date is later than the
//    old one.
//  - Requests are bounded: one PutObjectRetention per version that is due, and one HEAD
//    (StatVersion) per version whose date the caller does not know. The caller records the
//    dates it is given (on_known), so a version is looked up once in its life and, being
//    extended by at least retain/2 each time, extended at most once per retain/2.
//  - Requests go 16 at a time (versions are decided in batches of 512 as for_each gives them);
//    on_known and the summary stay on the caller's thread, in for_each's order, and on_known
//    hears each version's final date once (learnt or set), not the date the caller gave.
//  - A failed request does not stop the others: it is counted and named in `problems`.
//  - PlanExtension decides without I/O (unit-tested in-process).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "store/object_lock.h"
#include "store/object_store.h"

namespace dredge {

struct RetainedVersion {
  std::string key;
  std::string version_id;   // "" for the current version (objects that are never overwritten)
  int64_t known_until = 0;  // 0: not known
};

enum class ExtendAction { kNone, kLookUp, kExtend };

// The date an extension sets: now + retain + retain/2, so a version is due again (before
// now + retain) only after retain/2 has passed.
int64_t ExtendedUntil(int64_t now_unix, const ObjectLockPolicy& p);

// kLookUp when the date is unknown, kExtend when it is before now + retain, else kNone.
ExtendAction PlanExtension(int64_t known_until, int64_t now_unix, const ObjectLockPolicy& p);

struct ExtendSummary {
  uint64_t objects = 0;    // versions the restorable point references
  uint64_t looked_up = 0;  // HEAD requests
  uint64_t extended = 0;   // PutObjectRetention requests that succeeded
  uint64_t failed = 0;
  uint64_t requests = 0;  // HEADs and PutObjectRetentions sent, failed ones included
  int64_t until = 0;      // the date extended versions got
  std::vector<std::string> problems;
};

// `for_each` calls its argument once per referenced version; `on_known` is told every date
// learnt or set (key, version id, retain-until) so the caller can record it.
using RetainedVersionFn = std::function<Status(const RetainedVersion&)>;
Result<ExtendSummary> ExtendRetentions(
    ObjectStore& store, const ObjectLockPolicy& policy, int64_t now_unix,
    const std::function<Status(const RetainedVersionFn&)>& for_each,
    const std::function<Status(const RetainedVersion&, int64_t until)>& on_known);

}  // namespace dredge
