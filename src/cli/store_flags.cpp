#include "cli/store_flags.h"

#include "common/log.h"
#include "ops/retention_store.h"
#include "store/registry.h"
#include "store/s3/s3_store.h"
#include "store/wrap/limit_store.h"
#include "store/wrap/retry_store.h"

#include <mutex>

namespace dredge {

void AddStoreFlags(CLI::App& cmd, StoreOptions* o) {
  cmd.add_option("--endpoint-url", o->endpoint_url,
                 "S3 endpoint (default: AWS_ENDPOINT_URL, else AWS)");
  cmd.add_option("--region", o->region, "S3 region (default: AWS_REGION, else us-east-1)");
  cmd.add_option("--profile", o->profile,
                 "AWS profile in ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE)");
  cmd.add_option("--sse", o->sse, "Server-side encryption")
      ->check(CLI::IsMember({"AES256", "aws:kms"}));
  cmd.add_option("--sse-kms-key-id", o->sse_kms_key_id, "KMS key id with --sse aws:kms");
  cmd.add_option("--storage-class", o->storage_class, "S3 storage class for new objects")
      ->check(CLI::IsMember({"STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING"}));
  cmd.add_option("--ca-bundle", o->ca_bundle, "CA certificates for TLS (default: AWS_CA_BUNDLE)");
  cmd.add_flag("--path-style", o->force_path_style, "Path-style S3 addressing");
  AddObjectLockFlags(cmd, &o->object_lock);
}

// Object Lock (docs/object-lock.md): the flags, the merge and the pre-flight check together.
void AddObjectLockFlags(CLI::App& cmd, ObjectLockSettings* o) {
  cmd.add_option("--object-lock-mode", o->mode,
                 "Lock backed-up objects with S3 Object Lock in this mode (with "
                 "--object-lock-retain)")
      ->check(CLI::IsMember({"GOVERNANCE", "COMPLIANCE"}));
  cmd.add_option("--object-lock-retain", o->retain,
                 "How long each backed-up object stays locked after its write (30d, 26h, 90s)");
}

ObjectLockSettings MergeObjectLock(const ObjectLockSettings& dest,
                                   const ObjectLockSettings& flags) {
  ObjectLockSettings o = dest;
  if (!flags.mode.empty()) o.mode = flags.mode;
  if (!flags.retain.empty()) o.retain = flags.retain;
  return o;
}

Result<std::shared_ptr<ObjectStore>> ApplyObjectLock(const std::string& url,
                                                     const StoreOptions& opts,
                                                     std::shared_ptr<ObjectStore> driver,
                                                     std::shared_ptr<ObjectStore> wrapped) {
  DREDGE_ASSIGN_OR_RETURN(auto policy, CheckObjectLock(opts.object_lock));
  if (!policy) return wrapped;
  auto* s3 = dynamic_cast<S3Store*>(driver.get());
  if (!s3)
    return Status::Usage("object lock was asked for destination " + url +
                         ", but only s3:// buckets have Object Lock: remove object_lock "
                         "(--object-lock-mode) or back up to an s3:// bucket with it");
  DREDGE_ASSIGN_OR_RETURN(BucketLockState state, s3->BucketObjectLock());
  const std::string bucket = url.substr(5, url.find('/', 5) - 5);
  DREDGE_RETURN_IF_ERROR(RequireLockableBucket(state, bucket));
  if (!state.default_mode.empty())
    log::Info("bucket '" + bucket + "' has a default retention (" + state.default_mode + ", " +
              state.default_period +
              "): dredge's own records there become locked versions too (docs/object-lock.md)");
  return std::shared_ptr<ObjectStore>(
      std::make_shared<RetentionStore>(std::move(wrapped), *policy));
}

namespace {
std::mutex limiter_mu;
std::shared_ptr<Limiter>& ProcessLimiter() {
  static std::shared_ptr<Limiter> limiter;
  return limiter;
}
}  // namespace

void SetProcessLimiter(std::shared_ptr<Limiter> limiter) {
  std::lock_guard<std::mutex> lock(limiter_mu);
  ProcessLimiter() = std::move(limiter);
}

StoreOptions MergeStoreOptions(const DestinationConfig& dest, const StoreOptions& flags) {
  StoreOptions o = ToStoreOptions(dest);
  auto take = [](std::string& into, const std::string& flag) {
    if (!flag.empty()) into = flag;
  };
  take(o.endpoint_url, flags.endpoint_url);
  take(o.region, flags.region);
  take(o.profile, flags.profile);
  take(o.sse, flags.sse);
  take(o.sse_kms_key_id, flags.sse_kms_key_id);
  take(o.storage_class, flags.storage_class);
  take(o.ca_bundle, flags.ca_bundle);
  if (flags.force_path_style) o.force_path_style = true;
  o.object_lock = MergeObjectLock(o.object_lock, flags.object_lock);
  return o;
}

Result<std::shared_ptr<ObjectStore>> OpenDestination(const std::string& url,
                                                     const StoreOptions& opts) {
  DREDGE_ASSIGN_OR_RETURN(auto driver, OpenStore(url, opts));
  std::shared_ptr<Limiter> limiter;
  {
    std::lock_guard<std::mutex> lock(limiter_mu);
    limiter = ProcessLimiter();
  }
  auto store = WrapWithLimits(driver, limiter);
  // Local and in-memory stores fail for reasons a retry will not fix; remote ones are retried.
  if (url.rfind("s3://", 0) == 0) store = std::make_shared<RetryStore>(store);
  // Object Lock outermost, after the pre-flight check and before anything is written.
  return ApplyObjectLock(url, opts, driver, store);
}

}  // namespace dredge
