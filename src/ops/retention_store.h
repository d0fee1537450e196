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

#include "store/incomplete_uploads.h"
#include "store/object_lock.h"
#include "store/object_store.h"

namespace dredge {

class RetentionStore final : public ObjectStore, public IncompleteUploads {
 public:
  // `now_ns`: the clock (ns since the epoch); the wall clock when empty.
  RetentionStore(std::shared_ptr<ObjectStore> inner, ObjectLockPolicy policy,
                 std::function<int64_t()> now_ns = nullptr);

  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override;
  Status Get(std::string_view key, ByteSink& sink,
             std::optional<ByteRange> range = std::nullopt) override {
    return inner_->Get(key, sink, range);
  }
  Result<ObjectInfo> Stat(std::string_view key) override { return inner_->Stat(key); }
  Status List(std::string_view prefix, const ListFn& fn) override {
    return inner_->List(prefix, fn);
  }
  Status Remove(std::string_view key) override { return inner_->Remove(key); }
  Status Copy(std::string_view src_key, std::string_view dst_key,
              const std::optional<Metadata>& metadata = std::nullopt) override;
  Status Sync() override { return inner_->Sync(); }
  bool KeepsIncompleteUploads() const override { return dredge::KeepsIncompleteUploads(*inner_); }
  Status ListIncompleteUploads(std::string_view prefix, const IncompleteUploadFn& fn) override {
    return dredge::ListIncompleteUploads(*inner_, prefix, fn);
  }
  Status AbortIncompleteUpload(const IncompleteUpload& upload) override {
    return dredge::AbortIncompleteUpload(*inner_, upload);
  }
  StoreCapabilities capabilities() const override { return inner_->capabilities(); }
  std::string Describe() const override { return inner_->Describe(); }
  const std::shared_ptr<ObjectStore>& inner() const { return inner_; }
  const ObjectLockPolicy& policy() const { return policy_; }

  // The retention a write now gets.
  Retention RetentionNow() const;

 private:
  std::shared_ptr<ObjectStore> inner_;
  ObjectLockPolicy policy_;
  std::function<int64_t()> now_ns_;
};

}  // namespace dredge
