// Which keys hold backups, for Object Lock (docs/object-lock.md): the one place that decides
// which writes carry retention. A key is *retained* when it holds backed-up data or describes a
// restorable point; the records dredge updates or removes as part of its own protocol are not.
//   retained      files-tier data keys (anything outside .dredge/ and database_backups/),
//                 .dredge/content/, .dredge/snapshots/, database_backups/chunks/,
//                 database_backups/manifests/
//   not retained  .dredge/runs/, .dredge/locks/, .dredge/prunes/ (records and the marker),
//                 .dredge/check/ (probes), database_backups/retired/, and any other key under
//                 .dredge/ or database_backups/ (new record kinds stay mutable until listed)
#pragma once

#include <string_view>

namespace dredge::retention_keys {

bool IsRetained(std::string_view key);

}  // namespace dredge::retention_keys
