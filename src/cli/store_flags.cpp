#include "cli/store_flags.h"

#include <algorithm>

#include "common/log.h"
#include "config/option_table.h"
#include "ops/retention_store.h"
#include "store/registry.h"
#include "store/s3/s3_store.h"
#include "store/wrap/limit_store.h"
#include "store/wrap/retry_store.h"

#include <mutex>

namespace dredge {

void AddStoreFlags(CLI::App& cmd, StoreOptions* o) {
  for (const StoreOptionSpec* row : AllStoreOptions()) {
    std::string help = row->help;
    while (!help.empty() && help.back() == '.') help.pop_back();
    const bool names_env = *row->env && help.find(row->env) != std::string::npos;
    help += std::string(" (dredge.toml destination key ") + row->key +
            (*row->env && !names_env ? std::string("; unset: ") + row->env : "") + ")";
    if (row->on) {
      cmd.add_flag(row->flag, o->*row->on, help);
      continue;
    }
    CLI::Option* opt = cmd.add_option(row->flag, o->*row->text, help);
    if (auto choices = ChoicesOf(*row); !choices.empty()) opt->check(CLI::IsMember(choices));
  }
  AddObjectLockFlags(cmd, &o->object_lock);
}

// Object Lock (docs/object-lock.md): the flags, the merge and the pre-flight check together.
void AddObjectLockFlags(CLI::App& cmd, ObjectLockSettings* o) {
  const DestinationKeySpec& mode = DestinationKey("object_lock.mode");
  cmd.add_option(mode.flag, o->mode, DestinationFlagHelp(mode))
      ->check(CLI::IsMember({"GOVERNANCE", "COMPLIANCE"}));
  const DestinationKeySpec& retain = DestinationKey("object_lock.retain");
  cmd.add_option(retain.flag, o->retain, DestinationFlagHelp(retain));
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
  const std::string& bucket = s3->Bucket();
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
  const auto own = OptionsOfUrl(dest.url);
  for (const StoreOptionSpec* row : AllStoreOptions()) {
    const bool set = (row->on && flags.*row->on) || (row->text && !(flags.*row->text).empty());
    if (!set) continue;
    if (row->on) o.*row->on = true;
    if (row->text) o.*row->text = flags.*row->text;
    // A flag may be meant for the other destinations of the run: said, not refused.
    if (std::none_of(own.begin(), own.end(),
                     [&](const StoreOptionSpec& r) { return std::string_view(r.key) == row->key; }))
      log::Warn(std::string(row->flag) + " does not apply to " + dest.url +
                " (it is an option of " + SchemesTaking(row->key) +
                " destinations); ignored there");
  }
  o.object_lock = MergeObjectLock(o.object_lock, flags.object_lock);
  return o;
}

Result<std::shared_ptr<ObjectStore>> OpenDestination(const std::string& url,
                                                     const StoreOptions& opts) {
  DREDGE_ASSIGN_OR_RETURN(ParsedUrl parsed, ParseStoreUrl(url));
  DREDGE_ASSIGN_OR_RETURN(auto driver, parsed.driver->open(parsed.rest, opts));
  std::shared_ptr<Limiter> limiter;
  {
    std::lock_guard<std::mutex> lock(limiter_mu);
    limiter = ProcessLimiter();
  }
  auto store = WrapWithLimits(driver, limiter);
  // The driver says whether its failures may pass (remote) or not (local, in-memory).
  if (parsed.driver->retried) store = std::make_shared<RetryStore>(store);
  // Object Lock outermost, after the pre-flight check and before anything is written.
  return ApplyObjectLock(url, opts, driver, store);
}

}  // namespace dredge
