#include "store/readonly/readonly_store.h"

#include <utility>

#include "store/file/file_store.h"

namespace dredge {

ReadOnlyStore::ReadOnlyStore(std::shared_ptr<ObjectStore> inner, std::string url)
    : StoreWrapper(std::move(inner)), url_(std::move(url)) {}

Status ReadOnlyStore::Refuse(std::string_view op, std::string_view key) const {
  return Status::Unsupported(std::string(op) + " '" + std::string(key) + "' refused: " + url_ +
                             " is read-only (ro+file://); open it as file:// to write");
}

Result<PutResult> ReadOnlyStore::Put(std::string_view key, const ByteSource&, const PutOptions&) {
  return Refuse("put", key);
}

Status ReadOnlyStore::Remove(std::string_view key) {
  return Refuse("remove", key);
}

Status ReadOnlyStore::Copy(std::string_view src_key, std::string_view dst_key,
                           const std::optional<Metadata>&) {
  return Refuse("copy to", std::string(dst_key) + "' from '" + std::string(src_key));
}

Status ReadOnlyStore::AbortIncompleteUpload(const IncompleteUpload& upload) {
  return Refuse("abort of the incomplete upload of", upload.key);
}

Status ReadOnlyStore::RemoveVersion(std::string_view key, std::string_view version_id) {
  return Refuse("removal of a version of",
                std::string(key) + "' (" + std::string(version_id) + ")");
}

Status ReadOnlyStore::ExtendRetention(std::string_view key, std::string_view, const Retention&) {
  return Refuse("retention change of", key);
}

Result<std::shared_ptr<ObjectStore>> OpenReadOnlyFile(const std::string& rest,
                                                      const StoreOptions& opts) {
  DREDGE_ASSIGN_OR_RETURN(auto files, OpenFile(rest, opts));
  return std::shared_ptr<ObjectStore>(
      std::make_shared<ReadOnlyStore>(std::move(files), "ro+file://" + rest));
}

}  // namespace dredge
