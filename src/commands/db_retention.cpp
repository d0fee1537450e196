#include "commands/db_retention.h"

#include <set>

#include "engine/db/manifest_store.h"

namespace dredge {

Result<ExtendSummary> ExtendDbRetention(ObjectStore& store, const ObjectLockPolicy& policy,
                                        const std::string& manifest_key, int64_t now_unix) {
  DREDGE_ASSIGN_OR_RETURN(RunManifest run, LoadManifest(store, manifest_key));
  auto for_each = [&](const RetainedVersionFn& fn) -> Status {
    std::set<std::string> seen;
    auto once = [&](const std::string& key) -> Status {
      if (key.empty() || !seen.insert(key).second) return Status::Ok();
      return fn({key, "", 0});
    };
    DREDGE_RETURN_IF_ERROR(once(run.key));
    for (const Manifest& table : run.tables) {
      DREDGE_ASSIGN_OR_RETURN(std::vector<Manifest> chain, LoadChain(store, table));
      for (const Manifest& link : chain) {
        DREDGE_RETURN_IF_ERROR(once(link.key));
        for (const ChunkEntry& c : link.chunks) DREDGE_RETURN_IF_ERROR(once(c.key));
      }
    }
    return Status::Ok();
  };
  return ExtendRetentions(store, policy, now_unix, for_each,
                          [](const RetainedVersion&, int64_t) { return Status::Ok(); });
}

}  // namespace dredge
