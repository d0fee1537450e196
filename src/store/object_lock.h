// Object Lock settings of a destination and the bucket's answer to the pre-flight check
// (docs/object-lock.md). Pure: no I/O here; the s3:// driver asks the bucket
// (S3Store::BucketObjectLock) and OpenDestination (cli/store_flags.h) puts the two together.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "store/object_store.h"
#include "store/store_options.h"

namespace dredge {

// Checked settings: mode "GOVERNANCE" or "COMPLIANCE", retain > 0 seconds.
struct ObjectLockPolicy {
  std::string mode;
  int64_t retain_seconds = 0;
  // The retention a write at `now_unix` (seconds; fractions rounded up by the caller) gets.
  Retention At(int64_t now_unix) const { return {mode, now_unix + retain_seconds}; }
};

// nullopt when `s` is off (both fields empty); Usage naming the field for a mode without a
// retain or the reverse, an unknown mode, or a retain that is not a positive duration.
Result<std::optional<ObjectLockPolicy>> CheckObjectLock(const ObjectLockSettings& s);

// What the bucket says about Object Lock and versioning.
struct BucketLockState {
  bool lock_enabled = false;        // <ObjectLockEnabled>Enabled
  bool versioning_enabled = false;  // versioning <Status>Enabled
  std::string default_mode;         // a default retention's mode, "" when none
  std::string default_period;       // "30 days" / "1 years", "" when none
  std::string lock_answer;          // why lock_enabled is false, in the server's words
};

// Ok when the bucket can hold locked objects; else Usage naming `bucket` and the setting it
// lacks, and how to create a bucket that has it.
Status RequireLockableBucket(const BucketLockState& state, const std::string& bucket);

}  // namespace dredge
