#include "cli/store_flags.h"

#include "store/registry.h"
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
  return o;
}

Result<std::shared_ptr<ObjectStore>> OpenDestination(const std::string& url,
                                                     const StoreOptions& opts) {
  DREDGE_ASSIGN_OR_RETURN(auto store, OpenStore(url, opts));
  std::shared_ptr<Limiter> limiter;
  {
    std::lock_guard<std::mutex> lock(limiter_mu);
    limiter = ProcessLimiter();
  }
  store = WrapWithLimits(store, limiter);
  // Local and in-memory stores fail for reasons a retry will not fix; remote ones are retried.
  if (url.rfind("s3://", 0) == 0)
    return std::shared_ptr<ObjectStore>(std::make_shared<RetryStore>(store));
  return store;
}

}  // namespace dredge
