// The database tier's one manifest resolver: every command that chooses a restore point of the
// database tier (`restore db --manifest/--as-of`, `ls --tier db`, `diff --tier db`) calls
// ChooseManifestKey, so all accept the forms of engine/restore_point_select.h: "latest", a
// whole id ("backup_manifest_20250527_000750"), a unique prefix of it or of its stamp
// ("20250527_000750", "20250527"), the key, or --as-of (the newest whose name time, UTC, is at
// or before it).
#pragma once

#include <string>

#include "common/status.h"
#include "engine/db/manifest_store.h"

namespace dredge {

// The key of the chosen manifest; `where` names the destination in messages. (The two-argument
// form declared in manifest_store.h is this with "the destination".)
Result<std::string> ChooseManifestKey(const PrefixListing& listing, const RestorePointQuery& q,
                                      const std::string& where);

}  // namespace dredge
