// Restore from chunks written by the original StoryDredge script (no dredge manifest under
// the prefix): every chunk under database_backups/chunks/ that is a bare JSON array, newest
// first by the time in its name and then its number (the script restarted numbers with every
// run), the newest version of each primary key winning. The table must already exist
// (--into, default "articles"); there are no checksums to verify.
#pragma once

#include "common/status.h"
#include "engine/db/manifest_store.h"
#include "engine/db/restorer.h"

namespace dredge {

Result<RestoreResult> RunLegacyRestore(ObjectStore& store, const PrefixListing& listing,
                                       const RestoreOptions& opts);

}  // namespace dredge
