// The Object Lock pre-flight check of the s3:// driver (s3_store.h, BucketObjectLock).
#include "store/s3/s3_errors.h"
#include "store/s3/s3_store.h"
#include "store/s3/s3_xml.h"

namespace dredge {

Result<BucketLockState> S3Store::BucketObjectLock() {
  BucketLockState state;
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse lock,
                          Send(builder_.BucketSubresource("object-lock"), "GET", "?object-lock"));
  if (lock.status == 200) {
    DREDGE_ASSIGN_OR_RETURN(s3::ObjectLockConfig c, s3::ParseObjectLockConfiguration(lock.body));
    state.lock_enabled = c.enabled;
    state.default_mode = c.default_mode;
    state.default_period = c.default_period;
    if (!c.enabled) state.lock_answer = "ObjectLockEnabled is not Enabled";
  } else if (lock.status == 404 || lock.status == 501 || lock.status == 400) {
    // No configuration (ObjectLockConfigurationNotFoundError) or no such API on this server.
    auto err = s3::ParseErrorBody(lock.body);
    state.lock_answer = "HTTP " + std::to_string(lock.status) +
                        (err && !err->code.empty() ? " " + err->code : std::string());
  } else {
    return Failed(lock, "GET", "?object-lock");
  }
  if (!state.lock_enabled) return state;
  DREDGE_ASSIGN_OR_RETURN(s3::HttpResponse ver,
                          Send(builder_.BucketSubresource("versioning"), "GET", "?versioning"));
  if (ver.status != 200) return Failed(ver, "GET", "?versioning");
  DREDGE_ASSIGN_OR_RETURN(std::string status, s3::ParseVersioningStatus(ver.body));
  state.versioning_enabled = status == "Enabled";
  return state;
}

}  // namespace dredge
