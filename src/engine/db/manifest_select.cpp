#include "engine/db/manifest_select.h"

#include "common/time_util.h"
#include "engine/restore_point_select.h"
#include "formats/db_keys.h"

namespace dredge {

Result<std::string> ChooseManifestKey(const PrefixListing& l, const RestorePointQuery& q,
                                      const std::string& where) {
  std::vector<RestorePointName> names;
  std::vector<const std::string*> keys;
  for (const auto& key : l.manifest_keys) {
    auto id = dbkeys::ManifestIdOfKey(key);
    auto stamp = dbkeys::ManifestStamp(key);
    if (!id || !stamp) continue;
    auto t = ParseCompactUtc(*stamp);
    if (!t.ok()) continue;
    names.push_back({*id, dbkeys::kManifestIdHead.size(), *t});
    keys.push_back(&key);
  }
  RestorePointSelector s{q.manifest, q.as_of_unix_nanos};
  std::string_view t = s.text;
  if (t.starts_with(dbkeys::kManifestPrefix)) t.remove_prefix(dbkeys::kManifestPrefix.size());
  if (t.ends_with(".json")) t.remove_suffix(5);
  s.text = std::string(t);
  DREDGE_ASSIGN_OR_RETURN(size_t i,
                          SelectRestorePoint(names, s, {"manifest", where, "dredge manifests"}));
  return *keys[i];
}

Result<std::string> ChooseManifestKey(const PrefixListing& l, const RestorePointQuery& q) {
  return ChooseManifestKey(l, q, "the destination");
}

}  // namespace dredge
