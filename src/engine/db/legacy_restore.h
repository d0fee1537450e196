// Restore from chunks written by the original StoryDredge script (no dredge manifest under
// the prefix): every chunk under database_backups/chunks/ that is a bare JSON array, newest
// first by the time in its name and then its number (the script restarted numbers with every
// run), the newest version of each primary key winning. The table must already exist
// (--into, default "articles"); there are no checksums to verify.
//
// Decided first, done after: PlanLegacyRestore turns the listing and the options into a plan
// (no I/O); RunLegacyRestore carries it out in one transaction.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "engine/db/manifest_store.h"
#include "engine/db/restorer.h"

namespace dredge {

struct LegacyRestorePlan {
  std::string table;                    // --into, or "articles"
  std::vector<std::string> chunk_keys;  // uncompressed chunk keys, newest first
};

// Usage when --manifest/--as-of is given (legacy backups have no restore points); NotFound when
// the listing holds no uncompressed chunk.
Result<LegacyRestorePlan> PlanLegacyRestore(const PrefixListing& listing,
                                            const DbRestoreOptions& opts);

// Loads the plan's chunks into the existing table in one transaction: only the columns the
// StoryDredge rows carry (others keep their defaults), the first row seen of each key wins,
// --ids/--since/--until filter as for dredge backups. NotFound when the table does not exist or
// no chunk has rows; PreconditionFailed when the rows do not carry the table's primary key.
Result<RestoreResult> RunLegacyRestore(ObjectStore& store, const LegacyRestorePlan& plan,
                                       const DbRestoreOptions& opts);

}  // namespace dredge
