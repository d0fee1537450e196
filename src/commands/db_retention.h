// Retention extension for the database tier (docs/object-lock.md, "Retention extension"): after
// a db backup under Object Lock, every object the new run manifest needs to be restored — the
// manifests of each table's chain back to its full run and their chunks — is handed to
// ExtendRetentions (ops/retention_extend.h) by key: chunks and manifests are never overwritten,
// so their current version is the one. The db tier keeps no local record of the dates, so each
// run looks every referenced object up once (one HEAD each) and extends the due ones.
#pragma once

#include <string>

#include "common/status.h"
#include "ops/retention_extend.h"
#include "store/object_store.h"

namespace dredge {

Result<ExtendSummary> ExtendDbRetention(ObjectStore& store, const ObjectLockPolicy& policy,
                                        const std::string& manifest_key, int64_t now_unix);

}  // namespace dredge
