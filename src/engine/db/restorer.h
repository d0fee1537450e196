// `dredge restore db` (docs/db-tier.md): picks the restore point, assembles the newest version
// of every key along its chain (newest run first; a key is taken from the first run that has
// it), drops keys not live at the restore point, applies --since/--until/--date-column and
// --ids, and loads the rows with one COPY ... FROM STDIN inside one transaction. Chunks are
// fetched, sha256-checked and decoded by workers in parallel, consumed in chain order; a
// corrupt or missing chunk aborts the COPY and rolls back: nothing partial is committed.
// A prefix without dredge manifests restores its StoryDredge legacy chunks instead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/db/manifest_store.h"
#include "engine/db/pg_conn.h"
#include "engine/db/restore_target.h"
#include "formats/key_set.h"
#include "store/object_store.h"

namespace dredge {

struct RestoreOptions {
  PgOptions pg;
  std::string into;  // empty: the source table's name
  RestorePointQuery point;
  std::string since, until, date_column;
  std::optional<std::vector<IntRange>> ids;
  RestoreMode mode = RestoreMode::kEmptyOnly;
  int workers = 4;
};

struct RestoreResult {
  uint64_t rows = 0;
  std::string manifest_key;  // empty for a legacy restore
  std::string table;
  bool created = false;
  bool legacy = false;
  uint64_t chunks_read = 0;
  uint64_t chunks_skipped = 0;
};

Result<RestoreResult> RunDbRestore(ObjectStore& store, const RestoreOptions& opts);

}  // namespace dredge
