// Retention: which restore points (files snapshots, database manifests) a prune keeps.
//
// A pure function of the points and the policy, with restic's `forget` semantics:
// - --keep-last N keeps the N newest points.
// - --keep-daily / --keep-weekly / --keep-monthly N keep the newest point in each of the N most
//   recent calendar days / ISO 8601 weeks / months *that have a point* (a gap of a few days
//   without backups does not use up the budget). Buckets are computed in UTC, so the answer does
//   not depend on the machine's time zone.
// - A point kept by any rule is kept; every other point is removed.
// - With no rule of at least 1 the policy is refused (Usage): a prune must never remove every
//   restore point by accident. Any accepted policy keeps the newest point.
// - Points with equal times are ordered by id, so the answer is deterministic. Duplicate ids are
//   refused (InvalidArgument): the caller's listing is broken.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace dredge {

struct RetentionPolicy {
  int keep_last = 0;
  int keep_daily = 0;
  int keep_weekly = 0;
  int keep_monthly = 0;
};

// Usage unless at least one rule is >= 1 and none is negative.
Status ValidateRetentionPolicy(const RetentionPolicy& policy);

struct RestorePoint {
  std::string id;
  int64_t time_s = 0;  // UTC seconds since the Unix epoch
};

struct RetentionDecision {
  struct Kept {
    std::string id;
    int64_t time_s = 0;
    std::vector<std::string> reasons;  // "last", "daily", "weekly", "monthly"
  };
  std::vector<Kept> keep;            // newest first
  std::vector<RestorePoint> remove;  // newest first
};

Result<RetentionDecision> ApplyRetention(std::vector<RestorePoint> points,
                                         const RetentionPolicy& policy);

// The bucket labels used by the rules, exposed for tests and --dry-run output:
// "2025-05-27", "2025-W22" (ISO week-numbering year and week), "2025-05".
std::string UtcDayLabel(int64_t time_s);
std::string IsoWeekLabel(int64_t time_s);
std::string UtcMonthLabel(int64_t time_s);

}  // namespace dredge
