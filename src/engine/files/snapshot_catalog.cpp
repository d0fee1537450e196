#include "engine/files/snapshot_catalog.h"

#include <algorithm>

#include "common/time_util.h"
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

Result<std::string> ChooseSnapshot(ObjectStore& store, const std::string& id,
                                   std::optional<int64_t> as_of_ns) {
  if (!id.empty()) {
    DREDGE_ASSIGN_OR_RETURN(std::string parsed, file_keys::ParseSnapshotId(id));
    auto info = store.Stat(file_keys::SnapshotKey(parsed));
    if (!info.ok()) {
      if (info.status().Is(ErrorKind::kNotFound))
        return Status::NotFound("snapshot " + parsed + " does not exist in " + store.Describe() +
                                " (see 'dredge snapshots --dest " + store.Describe() + "')");
      return info.status();
    }
    return parsed;
  }
  DREDGE_ASSIGN_OR_RETURN(auto all, ListSnapshots(store));
  const SnapshotRef* pick = nullptr;
  for (const auto& s : all) {
    if (as_of_ns && s.time_s * 1000000000LL > *as_of_ns) break;
    pick = &s;
  }
  if (!pick) {
    if (as_of_ns)
      return Status::NotFound("no snapshot in " + store.Describe() + " at or before " +
                              FormatIsoUtcNanos(*as_of_ns) + " (see 'dredge snapshots')");
    return Status::NotFound("no snapshot in " + store.Describe() +
                            ": run 'dredge backup files' first");
  }
  return pick->id;
}

}  // namespace dredge
