// Incomplete uploads (U1-U2): an optional interface beside ObjectStore (object_store.h) for
// drivers whose Put can leave parts behind when the client is killed (S3 multipart uploads),
// which the provider bills until they are aborted. A driver offers it by also deriving from
// IncompleteUploads; wrappers (retry, limits) derive from it too and forward to what they wrap.
// Callers use the free functions, which work on any ObjectStore.
//
//  U1. ListIncompleteUploads calls `fn` once per incomplete upload whose key starts with
//      `prefix` (keys relative to the store root/prefix, like List), with its upload id and the
//      time the store says it was begun. A server that lacks the API answers Unsupported (the
//      caller says so and goes on); so does a store that does not offer the interface.
//  U2. AbortIncompleteUpload removes the upload and its parts; one that is already gone
//      (completed or aborted) succeeds. An upload that another client is still writing fails
//      that client's Put, so callers abort only uploads that no live run can own.
//  U3. KeepsIncompleteUploads is false for stores whose Put never leaves parts behind (file://,
//      memory): callers skip them silently rather than report "not supported".
// The conformance suite (tests/conformance/) tests U1-U3 on every driver.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/object_store.h"

namespace dredge {

struct IncompleteUpload {
  std::string key;  // relative to the store root/prefix
  std::string upload_id;
  int64_t initiated_ns = 0;  // when the store says it was begun (ns since the Unix epoch)
};

using IncompleteUploadFn = std::function<Status(const IncompleteUpload&)>;

class IncompleteUploads {
 public:
  virtual ~IncompleteUploads() = default;
  virtual bool KeepsIncompleteUploads() const = 0;
  virtual Status ListIncompleteUploads(std::string_view prefix, const IncompleteUploadFn& fn) = 0;
  virtual Status AbortIncompleteUpload(const IncompleteUpload& upload) = 0;
};

// U3 for any store: false unless it offers the interface and says true.
bool KeepsIncompleteUploads(const ObjectStore& store);
// U1/U2 for any store: Unsupported when it does not offer the interface.
Status ListIncompleteUploads(ObjectStore& store, std::string_view prefix,
                             const IncompleteUploadFn& fn);
Status AbortIncompleteUpload(ObjectStore& store, const IncompleteUpload& upload);

}  // namespace dredge
