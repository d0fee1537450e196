#include "formats/retention_keys.h"

#include "formats/db_keys.h"
#include "formats/file_keys.h"

namespace dredge::retention_keys {

bool IsRetained(std::string_view key) {
  for (std::string_view p : {file_keys::kContentPrefix, file_keys::kSnapshotPrefix,
                             dbkeys::kChunkPrefix, dbkeys::kManifestPrefix})
    if (key.starts_with(p)) return true;
  if (key.starts_with(file_keys::kRecordsPrefix)) return false;
  constexpr std::string_view kDbRoot = "database_backups/";
  if (key.starts_with(kDbRoot)) return false;
  return true;
}

}  // namespace dredge::retention_keys
