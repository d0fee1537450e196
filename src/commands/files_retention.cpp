#include "commands/files_retention.h"

#include "formats/file_keys.h"

namespace dredge {

Result<ExtendSummary> ExtendFilesRetention(ObjectStore& store, const ObjectLockPolicy& policy,
                                           StateIndex& index, const PathFilter& filter,
                                           int64_t now_unix) {
  auto for_each = [&](const RetainedVersionFn& fn) -> Status {
    DREDGE_ASSIGN_OR_RETURN(auto cursor, index.OpenCursor(StateIndex::Table::kFiles));
    IndexRow r;
    for (;;) {
      DREDGE_ASSIGN_OR_RETURN(bool more, cursor->Next(&r));
      if (!more) return Status::Ok();
      if (r.removed || r.version_id.empty() || !filter.Selects(r.path)) continue;
      DREDGE_RETURN_IF_ERROR(fn({file_keys::DataKey(r.path), r.version_id, r.retain_until}));
    }
  };
  // Data keys are the rows' paths (file_keys::DataKey).
  auto on_known = [&](const RetainedVersion& v, int64_t until) -> Status {
    DREDGE_ASSIGN_OR_RETURN(auto row, index.Lookup(v.key));
    if (!row || row->version_id != v.version_id || row->retain_until >= until) return Status::Ok();
    row->retain_until = until;
    return index.Put(*row);
  };
  DREDGE_ASSIGN_OR_RETURN(ExtendSummary s,
                          ExtendRetentions(store, policy, now_unix, for_each, on_known));
  DREDGE_RETURN_IF_ERROR(index.Flush());
  return s;
}

}  // namespace dredge
