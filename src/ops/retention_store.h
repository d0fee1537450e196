// RetentionStore: the wrapper that gives every write of a retained key (formats/
// retention_keys.h) its Object Lock retention (docs/object-lock.md). What a caller may rely on:
//  - Put of a retained key is forwarded with PutOptions.retention = the policy's mode and
//    now + retain (whole seconds, rounded up); every other key is written without retention.
//    A retention the caller set itself is kept.
//  - Copy to a retained key cannot carry a retention through the ObjectStore contract, so it
//    is done through the client: the source is read to a temporary file (with its metadata,
//    unless `metadata` is given) and put with retention. Copies to other keys are forwarded.
//  - Everything else (Get, Stat, List, Remove, Sync, incomplete uploads, capabilities) is
//    forwarded unchanged. OpenDestination (cli/store_flags.h) adds it outermost, after the
//    bucket passed the pre-flight check.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "store/object_lock.h"
#include "store/wrap/store_wrapper.h"

namespace dredge {

class RetentionStore final : public StoreWrapper {
 public:
  // `now_ns`: the clock (ns since the epoch); the wall clock when empty.
  RetentionStore(std::shared_ptr<ObjectStore> inner, ObjectLockPolicy policy,
                 std::function<int64_t()> now_ns = nullptr);

  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override;
  Status Copy(std::string_view src_key, std::string_view dst_key,
              const std::optional<Metadata>& metadata = std::nullopt) override;
  const ObjectLockPolicy& policy() const { return policy_; }

  // The retention a write now gets.
  Retention RetentionNow() const;

 private:
  ObjectLockPolicy policy_;
  std::function<int64_t()> now_ns_;
};

// The policy of the RetentionStore `store` is (OpenDestination puts it outermost); nullopt when
// the destination has no Object Lock.
std::optional<ObjectLockPolicy> LockPolicyOf(ObjectStore& store);

}  // namespace dredge
