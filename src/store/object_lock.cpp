#include "store/object_lock.h"

#include "common/time_util.h"

namespace dredge {

Result<std::optional<ObjectLockPolicy>> CheckObjectLock(const ObjectLockSettings& s) {
  if (!s.enabled()) return std::optional<ObjectLockPolicy>();
  const std::string hint =
      ": set both, e.g. object_lock = { mode = \"GOVERNANCE\", retain = \"30d\" } or "
      "--object-lock-mode GOVERNANCE --object-lock-retain 30d";
  if (s.mode.empty())
    return Status::Usage("object lock retain '" + s.retain + "' was given without a mode" + hint);
  if (s.retain.empty())
    return Status::Usage("object lock mode " + s.mode + " was given without a retain" + hint);
  if (s.mode != "GOVERNANCE" && s.mode != "COMPLIANCE")
    return Status::Usage("object lock mode '" + s.mode +
                         "' is not one S3 knows: use GOVERNANCE or COMPLIANCE");
  auto seconds = ParseDuration(s.retain);
  if (!seconds.ok() || *seconds <= 0)
    return Status::Usage("object lock retain '" + s.retain +
                         "' is not a positive duration: use e.g. 90s, 26h, 30d or 2w");
  return std::optional<ObjectLockPolicy>(ObjectLockPolicy{s.mode, *seconds});
}

Status RequireLockableBucket(const BucketLockState& state, const std::string& bucket) {
  const std::string create =
      "; Object Lock can only be switched on when a bucket is created: create one with "
      "`aws s3api create-bucket --bucket NAME --object-lock-enabled-for-bucket` and back up "
      "there, or remove object_lock (--object-lock-mode) from this destination (docs/s3.md)";
  if (!state.lock_enabled)
    return Status::Usage("bucket '" + bucket +
                         "' does not have Object Lock enabled (ObjectLockEnabled in its Object "
                         "Lock configuration; the server answered: " +
                         state.lock_answer + "), so backups there cannot be locked" + create);
  if (!state.versioning_enabled)
    return Status::Usage("bucket '" + bucket +
                         "' reports Object Lock but not versioning Enabled, which Object Lock "
                         "needs: enable versioning on it (put-bucket-versioning Status=Enabled)");
  return Status::Ok();
}

}  // namespace dredge
