#include "store/object_versions.h"

#include <string>

namespace dredge {
namespace {

Status NoVersions(const ObjectStore& store, std::string_view what) {
  return Status::Unsupported(store.Describe() + " keeps no object versions: cannot " +
                             std::string(what));
}

}  // namespace

Result<Versioning> VersioningOf(ObjectStore& store) {
  if (auto* v = dynamic_cast<ObjectVersions*>(&store)) return v->VersioningState();
  return Versioning::kNone;
}

Status GetVersion(ObjectStore& store, std::string_view key, std::string_view version_id,
                  ByteSink& sink, std::optional<ByteRange> range) {
  if (auto* v = dynamic_cast<ObjectVersions*>(&store))
    return v->GetVersion(key, version_id, sink, range);
  return NoVersions(store,
                    "read version '" + std::string(version_id) + "' of '" + std::string(key) + "'");
}

Result<ObjectInfo> StatVersion(ObjectStore& store, std::string_view key,
                               std::string_view version_id) {
  if (auto* v = dynamic_cast<ObjectVersions*>(&store)) return v->StatVersion(key, version_id);
  return NoVersions(
      store, "look up version '" + std::string(version_id) + "' of '" + std::string(key) + "'");
}

Status ListVersions(ObjectStore& store, std::string_view prefix, const VersionListFn& fn) {
  if (auto* v = dynamic_cast<ObjectVersions*>(&store)) return v->ListVersions(prefix, fn);
  return NoVersions(store, "list versions under '" + std::string(prefix) + "'");
}

Status RemoveVersion(ObjectStore& store, std::string_view key, std::string_view version_id) {
  if (auto* v = dynamic_cast<ObjectVersions*>(&store)) return v->RemoveVersion(key, version_id);
  return NoVersions(
      store, "remove version '" + std::string(version_id) + "' of '" + std::string(key) + "'");
}

Status ExtendRetention(ObjectStore& store, std::string_view key, std::string_view version_id,
                       const Retention& retention) {
  if (auto* v = dynamic_cast<ObjectVersions*>(&store))
    return v->ExtendRetention(key, version_id, retention);
  return NoVersions(store, "extend the retention of '" + std::string(key) + "'");
}

}  // namespace dredge
