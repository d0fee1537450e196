#include "engine/files/snapshot_catalog.h"

#include <algorithm>

#include "formats/file_keys.h"

namespace dredge {

Result<std::vector<SnapshotRef>> ListSnapshots(ObjectStore& store) {
  std::vector<SnapshotRef> out;
  DREDGE_RETURN_IF_ERROR(
      store.List(std::string(file_keys::kSnapshotPrefix), [&](const ObjectInfo& o) -> Status {
        auto id = file_keys::ParseSnapshotId(o.key);
        if (!id.ok()) return Status::Ok();
        auto t = file_keys::SnapshotIdTime(*id);
        out.push_back({*id, *t, o.size});
        return Status::Ok();
      }));
  std::sort(out.begin(), out.end(), [](const SnapshotRef& a, const SnapshotRef& b) {
    return a.time_s != b.time_s ? a.time_s < b.time_s : a.id < b.id;
  });
  return out;
}

}  // namespace dredge
