// The files tier's one snapshot resolver: every command that chooses a snapshot (`restore
// files --snapshot/--as-of`, `verify files --snapshot`, `ls`, `diff`, `drill --snapshot`) calls
// SelectSnapshot, so they all accept the same forms (engine/restore_point_select.h): "latest",
// a whole id, a unique prefix of it or of its stamp ("20250527_000750"), the object name
// ("<id>.json") or key, or --as-of. Errors name the destination and the listing command.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "engine/files/snapshot_catalog.h"
#include "engine/restore_point_select.h"
#include "store/object_store.h"

namespace dredge {

// Lists the snapshots of `store` and picks one; returns its id.
Result<std::string> SelectSnapshot(ObjectStore& store, const RestorePointSelector& selector);

// The same on a listing already made (ascending, as ListSnapshots returns it); `where` names the
// destination in messages.
Result<std::string> SelectSnapshotFrom(const std::vector<SnapshotRef>& ascending,
                                       const RestorePointSelector& selector,
                                       const std::string& where);

}  // namespace dredge
