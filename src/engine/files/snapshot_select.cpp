#include "engine/files/snapshot_select.h"

#include "formats/file_keys.h"

namespace dredge {

Result<std::string> SelectSnapshotFrom(const std::vector<SnapshotRef>& all,
                                       const RestorePointSelector& selector,
                                       const std::string& where) {
  std::vector<RestorePointName> names;
  names.reserve(all.size());
  for (const auto& s : all) names.push_back({s.id, file_keys::kSnapshotIdHead.size(), s.time_s});
  RestorePointSelector s = selector;
  // The object name and the key name the same snapshot as its id.
  s.text = std::string(file_keys::SnapshotNameAsId(s.text));
  DREDGE_ASSIGN_OR_RETURN(size_t i,
                          SelectRestorePoint(names, s, {"snapshot", where, "dredge snapshots"}));
  return all[i].id;
}

Result<std::string> SelectSnapshot(ObjectStore& store, const RestorePointSelector& selector) {
  DREDGE_ASSIGN_OR_RETURN(auto all, ListSnapshots(store));
  return SelectSnapshotFrom(all, selector, store.Describe());
}

}  // namespace dredge
