// How a files backup treats a versioned bucket (docs/formats/snapshot.md, docs/object-lock.md
// "Versioned buckets"):
//  - DecideVersioning asks the store once per run. Enabled: replaced content is kept by the
//    bucket, so nothing is preserved under .dredge/content/ and every snapshot entry names the
//    version of its bytes. Suspended or none: today's preserved copies; when the index's last
//    run was versioned, a warning names the bucket's state (earlier snapshots carry ids that
//    later runs no longer add).
//  - EntryVersionId gives the version id a snapshot entry carries for an index row: the row's
//    own id, else (content stored before ids were known: a listing-based run, a dedup copy on an
//    old index, a bucket versioned since) the current version's id when it holds the row's
//    content, asked with one Stat. An id is never guessed: "" (with a warning) when the current
//    version holds other content. On a store that never versioned, "" always.
#pragma once

#include <string>

#include "common/status.h"
#include "engine/files/state_index.h"
#include "store/object_store.h"
#include "store/object_versions.h"

namespace dredge {

struct VersioningDecision {
  Versioning state = Versioning::kNone;
  bool versioned = false;  // state == kEnabled
  std::string warning;     // non-empty: log it and show it in the summary
};

Result<VersioningDecision> DecideVersioning(ObjectStore& store, StateIndex& index);
// Records in the index whether this run versioned (read by the next DecideVersioning).
Status RememberVersioning(StateIndex& index, const VersioningDecision& d);

Result<std::string> EntryVersionId(ObjectStore& store, const VersioningDecision& d,
                                   const IndexRow& row);

// "enabled", "suspended", "none" (summaries, --json).
const char* VersioningName(Versioning v);

}  // namespace dredge

namespace dredge {
struct SnapshotEntry;
// The error restore, verify and drill give for an entry whose version `st` could not read:
// NotFound names the path and the version id the bucket no longer has (or, for a store that
// keeps no versions, cannot give); other errors pass.
Status VersionProblem(ObjectStore& store, const SnapshotEntry& e, const Status& st);
}  // namespace dredge
