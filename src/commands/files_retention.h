// Retention extension for the files tier (docs/object-lock.md, "Retention extension"): after a
// files backup under Object Lock, the versions the state index says the new snapshot references
// (rows present, selected, with a version id) are handed to ExtendRetentions (ops/
// retention_extend.h), and every date learnt or set is recorded in the index, so the next run
// needs no request for versions that are not due. Nothing is done without Object Lock.
#pragma once

#include "common/status.h"
#include "engine/files/glob.h"
#include "engine/files/state_index.h"
#include "ops/retention_extend.h"
#include "store/object_store.h"

namespace dredge {

Result<ExtendSummary> ExtendFilesRetention(ObjectStore& store, const ObjectLockPolicy& policy,
                                           StateIndex& index, const PathFilter& filter,
                                           int64_t now_unix);

}  // namespace dredge
