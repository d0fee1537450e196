#include "store/wrap/store_wrapper.h"

#include <utility>

namespace dredge {

StoreWrapper::StoreWrapper(std::shared_ptr<ObjectStore> inner) : inner_(std::move(inner)) {}

Result<PutResult> StoreWrapper::Put(std::string_view key, const ByteSource& src,
                                    const PutOptions& opts) {
  return inner_->Put(key, src, opts);
}

Status StoreWrapper::Get(std::string_view key, ByteSink& sink, std::optional<ByteRange> range) {
  return inner_->Get(key, sink, range);
}

Result<ObjectInfo> StoreWrapper::Stat(std::string_view key) {
  return inner_->Stat(key);
}

Status StoreWrapper::List(std::string_view prefix, const ListFn& fn) {
  return inner_->List(prefix, fn);
}

Status StoreWrapper::Remove(std::string_view key) {
  return inner_->Remove(key);
}

Status StoreWrapper::Copy(std::string_view src_key, std::string_view dst_key,
                          const std::optional<Metadata>& metadata) {
  return inner_->Copy(src_key, dst_key, metadata);
}

Status StoreWrapper::Sync() {
  return inner_->Sync();
}

bool StoreWrapper::KeepsIncompleteUploads() const {
  return dredge::KeepsIncompleteUploads(*inner_);
}

Status StoreWrapper::ListIncompleteUploads(std::string_view prefix, const IncompleteUploadFn& fn) {
  return dredge::ListIncompleteUploads(*inner_, prefix, fn);
}

Status StoreWrapper::AbortIncompleteUpload(const IncompleteUpload& upload) {
  return dredge::AbortIncompleteUpload(*inner_, upload);
}

Result<Versioning> StoreWrapper::VersioningState() {
  return VersioningOf(*inner_);
}

Status StoreWrapper::GetVersion(std::string_view key, std::string_view version_id, ByteSink& sink,
                                std::optional<ByteRange> range) {
  return dredge::GetVersion(*inner_, key, version_id, sink, range);
}

Result<ObjectInfo> StoreWrapper::StatVersion(std::string_view key, std::string_view version_id) {
  return dredge::StatVersion(*inner_, key, version_id);
}

Status StoreWrapper::ListVersions(std::string_view prefix, const VersionListFn& fn) {
  return dredge::ListVersions(*inner_, prefix, fn);
}

Status StoreWrapper::RemoveVersion(std::string_view key, std::string_view version_id) {
  return dredge::RemoveVersion(*inner_, key, version_id);
}

Status StoreWrapper::ExtendRetention(std::string_view key, std::string_view version_id,
                                     const Retention& retention) {
  return dredge::ExtendRetention(*inner_, key, version_id, retention);
}

StoreCapabilities StoreWrapper::capabilities() const {
  return inner_->capabilities();
}

std::string StoreWrapper::Describe() const {
  return inner_->Describe();
}

const ObjectStore* Unwrap(const ObjectStore* store) {
  while (const auto* w = dynamic_cast<const StoreWrapper*>(store)) store = w->inner().get();
  return store;
}

}  // namespace dredge
