#include "store/incomplete_uploads.h"

namespace dredge {

bool KeepsIncompleteUploads(const ObjectStore& store) {
  const auto* u = dynamic_cast<const IncompleteUploads*>(&store);
  return u && u->KeepsIncompleteUploads();
}

Status ListIncompleteUploads(ObjectStore& store, std::string_view prefix,
                             const IncompleteUploadFn& fn) {
  if (auto* u = dynamic_cast<IncompleteUploads*>(&store))
    return u->ListIncompleteUploads(prefix, fn);
  return Status::Unsupported(store.Describe() + " keeps no incomplete uploads to list");
}

Status AbortIncompleteUpload(ObjectStore& store, const IncompleteUpload& upload) {
  if (auto* u = dynamic_cast<IncompleteUploads*>(&store)) return u->AbortIncompleteUpload(upload);
  return Status::Unsupported(store.Describe() + " cannot abort the upload of '" + upload.key +
                             "': it keeps no incomplete uploads");
}

}  // namespace dredge
