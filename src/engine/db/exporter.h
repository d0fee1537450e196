// One `dredge backup db` run (docs/db-tier.md, docs/db-horizon.md): one REPEATABLE READ, READ
// ONLY transaction for every table of the run (a helper connection that reads live keys
// imports its snapshot), so the run is one point in time for all of them; per table, rows
// changed since the previous manifest's horizon (all rows on a full run, and always for a
// table without a key) streamed with COPY and cut into chunks that workers encode, compress,
// hash and upload in parallel; then its live keys; one manifest last (version 1 for one table
// with a primary key, version 2 otherwise), under a name never used before.
// Memory stays near (workers + 2) × 2 × chunk bytes whatever the table size.
// A run that fails leaves no manifest; its uploaded chunks are debris no manifest references.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/aead.h"
#include "common/progress.h"
#include "common/status.h"
#include "engine/db/pg_conn.h"
#include "engine/db/table_selection.h"
#include "store/object_store.h"

namespace dredge {

struct DbBackupOptions {
  PgOptions pg;
  TableSelection selection;
  uint64_t chunk_rows = 1000;
  uint64_t chunk_bytes = 64ull << 20;
  int workers = 4;
  bool zstd = false;
  int zstd_level = 3;
  std::optional<EncryptionKey> encrypt;  // seal chunks (--encrypt-key-file)
  // When set: rows read, out of an estimated total (planner statistics for tables read whole).
  Progress* progress = nullptr;
};

struct TableBackupResult {
  std::string table;  // "schema.table"
  std::string mode, full_reason, key_source;
  uint64_t rows = 0, chunks = 0, bytes = 0, live_keys = 0;
};

struct BackupResult {
  std::string manifest_key;
  std::string mode;         // full | incremental
  std::string full_reason;  // why a run is full
  uint64_t rows = 0;
  uint64_t chunks = 0;
  uint64_t bytes = 0;
  uint64_t live_keys = 0;
  double seconds = 0;
  std::vector<TableBackupResult> tables;
  std::vector<NotBackedUp> not_backed_up;
};

Result<BackupResult> RunDbBackup(ObjectStore& store, const DbBackupOptions& opts);

}  // namespace dredge
