// One `dredge backup db` run (docs/db-tier.md, docs/db-horizon.md): a REPEATABLE READ, READ
// ONLY transaction; rows changed since the previous manifest's horizon (all rows on a full
// run) streamed with COPY and cut into chunks that workers encode, compress, hash and upload
// in parallel; then the live primary keys; the manifest last, under a name never used before.
// Memory stays near (workers + 2) × 2 × chunk bytes whatever the table size.
// A run that fails leaves no manifest; its uploaded chunks are debris no manifest references.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "engine/db/pg_conn.h"
#include "store/object_store.h"

namespace dredge {

struct BackupOptions {
  PgOptions pg;
  std::string table;
  uint64_t chunk_rows = 1000;
  uint64_t chunk_bytes = 64ull << 20;
  int workers = 4;
  bool zstd = false;
  int zstd_level = 3;
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
};

Result<BackupResult> RunDbBackup(ObjectStore& store, const BackupOptions& opts);

}  // namespace dredge
