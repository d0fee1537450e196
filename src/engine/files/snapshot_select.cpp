#include "engine/files/snapshot_select.h"

#include "formats/file_keys.h"

namespace dredge {

Result<std::string> SelectSnapshotFrom(const std::vector<SnapshotRef>& all,
                                       const RestorePointSelector& selector,
                                       const std::string& where) {
  static constexpr std::string_view kHead = "snapshot_";
  std::vector<RestorePointName> names;
  names.reserve(all.size());
  for (const auto& s : all) names.push_back({s.id, kHead.size(), s.time_s});
  RestorePointSelector s = selector;
  // The object name and the key name the same snapshot as its id.
  std::string_view t = s.text;
  if (t.starts_with(file_keys::kSnapshotPrefix)) t.remove_prefix(file_keys::kSnapshotPrefix.size());
  if (t.ends_with(".json")) t.remove_suffix(5);
  s.text = std::string(t);
  DREDGE_ASSIGN_OR_RETURN(size_t i,
                          SelectRestorePoint(names, s, {"snapshot", where, "dredge snapshots"}));
  return all[i].id;
}

Result<std::string> SelectSnapshot(ObjectStore& store, const RestorePointSelector& selector) {
  DREDGE_ASSIGN_OR_RETURN(auto all, ListSnapshots(store));
  return SelectSnapshotFrom(all, selector, store.Describe());
}

}  // namespace dredge
