// `dredge restore db` (docs/db-tier.md): picks the restore point and, for every table it
// restores (all of the point's, or --table ones), assembles the newest version of every key
// along the table's chain (newest run first; a key is taken from the first run that has it),
// drops keys not live at the restore point, applies --since/--until/--date-column and --ids,
// and loads the rows with one COPY ... FROM STDIN. Everything happens in ONE transaction:
// tables, rows, then keys, constraints, indexes, sequences and comments per table, foreign keys
// after every table's rows; a failure or a killed restore rolls all of it back, and nothing of
// dredge's own (temporary merge tables) outlives it. Chunks are fetched, sha256-checked and
// decoded by workers in parallel, consumed in chain order.
// A prefix without dredge manifests restores its StoryDredge legacy chunks instead.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/progress.h"
#include "common/status.h"
#include "engine/db/manifest_store.h"
#include "engine/db/pg_conn.h"
#include "engine/db/restore_target.h"
#include "formats/key_set.h"
#include "store/object_store.h"

namespace dredge {

struct DbRestoreOptions {
  PgOptions pg;
  std::string into;                 // empty: the source table's name; needs exactly one table
  std::vector<std::string> tables;  // --table: restore only these (empty: every table)
  bool with_dependencies = false;   // also the tables their foreign keys reference
  RestorePointQuery point;
  std::string since, until, date_column;
  std::optional<std::vector<IntRange>> ids;
  RestoreMode mode = RestoreMode::kEmptyOnly;
  // Plan and stop: the result says what would be loaded (rows: the chunks' row counts, an upper
  // bound when a chain rewrote keys); no connection is made, nothing is read but the manifests.
  bool dry_run = false;
  int workers = 4;
  // When set: chunks loaded, out of every chunk the plan reads (bytes from the manifests).
  Progress* progress = nullptr;
};

struct TableRestoreResult {
  std::string table;  // target
  uint64_t rows = 0;
  bool created = false;
  uint64_t chunks_read = 0, chunks_skipped = 0;
};

struct RestoreResult {
  uint64_t rows = 0;         // over all tables
  std::string manifest_key;  // empty for a legacy restore
  std::string table;         // the tables restored, comma-separated
  bool created = false;      // every table was created
  bool legacy = false;
  uint64_t chunks_read = 0;
  uint64_t chunks_skipped = 0;
  std::vector<TableRestoreResult> tables;
  std::vector<std::string> foreign_keys_added;     // with dry_run: would be added
  std::vector<std::string> foreign_keys_left_out;  // each with the reason
  bool dry_run = false;
};

Result<RestoreResult> RunDbRestore(ObjectStore& store, const DbRestoreOptions& opts);

}  // namespace dredge
