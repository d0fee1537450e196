// A test double for incomplete uploads (store/incomplete_uploads.h): a memory store that keeps
// a list of uploads, can refuse chosen aborts, fail listings, and count list calls.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "store/incomplete_uploads.h"
#include "store/memory/memory_store.h"
#include "unit/forwarding_store.h"

namespace dredge::testing {

class UploadsStore final : public ForwardingStore {
 public:
  UploadsStore() : ForwardingStore(std::make_shared<MemoryStore>()) {}
  std::vector<IncompleteUpload> uploads;
  std::set<std::string> refuse_abort;  // keys whose abort fails
  Status list_status;                  // returned instead of listing when not ok
  Status fail_after_first;             // returned after delivering one upload, once
  int list_calls = 0;

  Status ListIncompleteUploads(std::string_view prefix, const IncompleteUploadFn& fn) override {
    ++list_calls;
    if (!list_status.ok()) return list_status;
    for (const auto& u : uploads) {
      if (u.key.rfind(prefix, 0) != 0) continue;
      DREDGE_RETURN_IF_ERROR(fn(u));
      if (!fail_after_first.ok()) return std::exchange(fail_after_first, Status::Ok());
    }
    return Status::Ok();
  }
  Status AbortIncompleteUpload(const IncompleteUpload& u) override {
    if (refuse_abort.count(u.key)) return Status::Permanent("AccessDenied aborting " + u.key);
    std::erase_if(uploads, [&](const auto& x) { return x.upload_id == u.upload_id; });
    return Status::Ok();
  }
  bool KeepsIncompleteUploads() const override { return true; }
};

}  // namespace dredge::testing
