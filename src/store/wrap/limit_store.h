// LimitStore: an ObjectStore wrapper that enforces a shared Limiter (store/wrap/limiter.h).
//  - Every operation takes one request token first; List takes one more per 1,000 objects
//    delivered (one ListObjectsV2 page).
//  - Put bodies are charged as the driver reads them, each byte once however often the driver
//    reads it (hashing pass, upload pass, parallel parts); Get bodies as they arrive at the sink.
//    Because the driver would otherwise hash the body in a read pass of its own, the wrapper
//    computes the MD5 first (unthrottled, a local read) and hands it on when the caller gave none.
// Place it directly around the driver, inside the retry wrapper, so every attempt pays.
// The contract of store/object_store.h is unchanged (only slower).
#pragma once

#include <memory>

#include "store/wrap/limiter.h"
#include "store/wrap/store_wrapper.h"

namespace dredge {

class LimitStore final : public StoreWrapper {
 public:
  LimitStore(std::shared_ptr<ObjectStore> inner, std::shared_ptr<Limiter> limiter)
      : StoreWrapper(std::move(inner)), limiter_(std::move(limiter)) {}

  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override;
  Status Get(std::string_view key, ByteSink& sink, std::optional<ByteRange> range) override;
  Result<ObjectInfo> Stat(std::string_view key) override;
  Status List(std::string_view prefix, const ListFn& fn) override;
  Status Remove(std::string_view key) override;
  Status Copy(std::string_view src_key, std::string_view dst_key,
              const std::optional<Metadata>& metadata) override;
  // D2's Sync is forwarded unthrottled by StoreWrapper: it sends no bytes and makes no request
  // of its own. U1-U2 each take one request token.
  Status ListIncompleteUploads(std::string_view prefix, const IncompleteUploadFn& fn) override;
  Status AbortIncompleteUpload(const IncompleteUpload& upload) override;

 private:
  std::shared_ptr<Limiter> limiter_;
};

// `store` itself when `limiter` is null, else a LimitStore around it.
std::shared_ptr<ObjectStore> WrapWithLimits(std::shared_ptr<ObjectStore> store,
                                            std::shared_ptr<Limiter> limiter);

}  // namespace dredge
