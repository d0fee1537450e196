// `dredge verify db` (docs/db-tier.md). Without a database: every chunk of every dredge
// manifest is fetched, its size and sha256 checked against the manifest, and its rows decoded
// and counted; nothing is loaded anywhere. With a database: additionally the live table is
// compared row by row with the newest restorable state (newest version of each live key along
// the newest manifest's chain), using the rows' xmin against that manifest's horizon to tell
// rows changed since the backup (not yet backed up) from rows the backup gets wrong (mismatch).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/progress.h"
#include "common/status.h"
#include "engine/db/manifest_store.h"
#include "engine/db/pg_conn.h"
#include "store/object_store.h"

namespace dredge {

struct DbVerifyOptions {
  bool with_db = false;
  PgOptions pg;
  std::string table;
  int workers = 4;
  // With --db: the manifest to compare with (engine/db/manifest_select.h: latest, an id, a
  // unique prefix, the stamp, or as_of); empty = the newest.
  RestorePointQuery point;
  // When set: chunks checked out of every chunk of every manifest (bytes from the manifests);
  // then, with a database, a second phase "verify db: live rows": live rows compared, out of
  // the rows the compared manifests hold.
  Progress* progress = nullptr;
};

struct DbVerifyResult {
  uint64_t manifests_checked = 0;
  uint64_t chunks_checked = 0;
  std::vector<std::string> corrupt;  // one message per bad chunk or manifest, naming it
  // With --db:
  std::string manifest_key;
  uint64_t rows_live = 0, rows_backup = 0, matching = 0;
  uint64_t not_yet_backed_up = 0;          // inserted or updated after the backup's snapshot
  uint64_t deleted_since_backup = 0;       // in the backup, gone from the table
  uint64_t mismatched = 0;                 // unchanged since the snapshot, yet different
  std::vector<std::string> mismatch_keys;  // the first few, as key text
};

// Ok, or Corrupt/Mismatch (exit 4) after filling `out` with everything found.
Status RunDbVerify(ObjectStore& store, const DbVerifyOptions& opts, DbVerifyResult* out);

}  // namespace dredge
