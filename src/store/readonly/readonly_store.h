// The ro+file:// driver: a directory of the file driver (store/file/file_store.h) opened
// read-only. Reads (Get, Stat, List, the version reads) are the file driver's; every write (Put,
// Remove, Copy, aborting an incomplete upload, removing a version, changing a retention) is
// refused with Unsupported naming the store and the operation, before anything is touched, so a
// restore, verify or drill can be pointed at a backup that must not change. Sync has nothing to
// flush. Capabilities: none (no conditional put, no copy).
// It is also the worked example of docs/CONTRIBUTING.md's driver recipe.
#pragma once

#include <memory>
#include <string>

#include "store/object_store.h"
#include "store/store_options.h"
#include "store/wrap/store_wrapper.h"

namespace dredge {

class ReadOnlyStore final : public StoreWrapper {
 public:
  ReadOnlyStore(std::shared_ptr<ObjectStore> inner, std::string url);

  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override;
  Status Remove(std::string_view key) override;
  Status Copy(std::string_view src_key, std::string_view dst_key,
              const std::optional<Metadata>& metadata = std::nullopt) override;
  Status Sync() override { return Status::Ok(); }
  Status AbortIncompleteUpload(const IncompleteUpload& upload) override;
  Status RemoveVersion(std::string_view key, std::string_view version_id) override;
  Status ExtendRetention(std::string_view key, std::string_view version_id,
                         const Retention& retention) override;
  StoreCapabilities capabilities() const override { return {false, false, false}; }
  std::string Describe() const override { return url_; }

 private:
  Status Refuse(std::string_view op, std::string_view key) const;
  std::string url_;
};

// The registry's factory for ro+file:// URLs: `rest` is the absolute root path.
Result<std::shared_ptr<ObjectStore>> OpenReadOnlyFile(const std::string& rest,
                                                      const StoreOptions& opts);

}  // namespace dredge
