// StoreWrapper: the base of every store that wraps another one (retry, limits, and the test
// doubles in tests/). What a wrapper and its callers may rely on:
//  - Every ObjectStore method and the optional IncompleteUploads (U1-U3 of
//    store/incomplete_uploads.h) and ObjectVersions (V1-V6 of store/object_versions.h)
//    interfaces are forwarded to the inner store unchanged. A wrapper overrides
//    only what it changes, so a method added to ObjectStore is forwarded by every wrapper at once
//    and none can silently drop it (D2's Sync included).
//  - The inner store is set once, never null, and shared: it lives at least as long as the
//    wrapper.
//  - Unwrap() looks through any stack of wrappers to the driver (for `dredge check`).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "store/incomplete_uploads.h"
#include "store/object_store.h"
#include "store/object_versions.h"

namespace dredge {

class StoreWrapper : public ObjectStore, public IncompleteUploads, public ObjectVersions {
 public:
  // `inner` must not be null.
  explicit StoreWrapper(std::shared_ptr<ObjectStore> inner);

  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override;
  Status Get(std::string_view key, ByteSink& sink,
             std::optional<ByteRange> range = std::nullopt) override;
  Result<ObjectInfo> Stat(std::string_view key) override;
  Status List(std::string_view prefix, const ListFn& fn) override;
  Status Remove(std::string_view key) override;
  Status Copy(std::string_view src_key, std::string_view dst_key,
              const std::optional<Metadata>& metadata = std::nullopt) override;
  Status Sync() override;
  bool KeepsIncompleteUploads() const override;
  Status ListIncompleteUploads(std::string_view prefix, const IncompleteUploadFn& fn) override;
  Status AbortIncompleteUpload(const IncompleteUpload& upload) override;
  Result<Versioning> VersioningState() override;
  Status GetVersion(std::string_view key, std::string_view version_id, ByteSink& sink,
                    std::optional<ByteRange> range) override;
  Result<ObjectInfo> StatVersion(std::string_view key, std::string_view version_id) override;
  Status ListVersions(std::string_view prefix, const VersionListFn& fn) override;
  Status RemoveVersion(std::string_view key, std::string_view version_id) override;
  Status ExtendRetention(std::string_view key, std::string_view version_id,
                         const Retention& retention) override;
  StoreCapabilities capabilities() const override;
  std::string Describe() const override;

  // The wrapped store.
  const std::shared_ptr<ObjectStore>& inner() const { return inner_; }

 private:
  std::shared_ptr<ObjectStore> inner_;
};

// The innermost store under any number of StoreWrappers (`store` itself when it is not one).
const ObjectStore* Unwrap(const ObjectStore* store);

}  // namespace dredge
