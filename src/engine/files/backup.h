// The files backup engine: walk → plan against the state index → damage guard → store changed
// files with a worker pool → record removals → write the snapshot, last.
//
// Guarantees a caller may rely on:
// - Nothing is written to the store before the damage guard passed (or --force).
// - Unchanged files (size, mtime_ns, inode equal to the index) are not read and cause no
//   request; an unchanged rerun stores only its snapshot.
// - No object whose content an earlier snapshot references is overwritten before that content
//   is reachable under .dredge/content/<md5>, or, on a bucket with versioning enabled, as the
//   version the snapshot names by id (backup_versions.h). Removed files keep their objects.
// - Data objects are put with deferred durability; an index row is committed only after a store
//   Sync() covering its object returned (see uploader.h), and the snapshot only after the last
//   Sync. After a run that did not finish, objects the listing names are read back before they
//   are trusted, so a machine crash never makes a later run skip a file whose stored copy is
//   missing or torn.
// - The snapshot is put after every data object of the run, under a new unique name, and lists
//   every selected file present in the source whose content is stored (a file that failed keeps
//   its previous version when it had one).
// - Per-file failures do not stop the run: they are counted and named in the summary (the
//   command maps failed > 0 to exit 3). Errors that make the whole run impossible are returned.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/progress.h"
#include "common/status.h"
#include "engine/files/glob.h"
#include "engine/files/state_index.h"
#include "store/object_store.h"

namespace dredge {

struct BackupOptions {
  std::string source;  // directory (made absolute by the caller)
  PathFilter filter;
  int workers = 16;
  double max_change_pct = 20.0;
  bool force = false;
  bool dry_run = false;
  std::string host;
  std::string tmp_dir = "/tmp";
  uint64_t md5_metadata_min_size = 8ull << 20;
  uint64_t dedup_min_size = 64ull << 10;
  // Stored files' index rows are recorded after one store Sync() per this many files or this
  // long, whichever comes first (a crash makes the next run re-check at most that many).
  size_t sync_batch_files = 4096;
  int64_t sync_batch_ms = 1000;
  Progress* progress = nullptr;
  // Under Object Lock: the retention (seconds) the destination gives every write; 0 without.
  int64_t retain_seconds = 0;
};

struct BackupSummary {
  uint64_t scanned = 0;
  uint64_t scanned_bytes = 0;
  uint64_t uploaded = 0;
  uint64_t copied = 0;   // dedup: server-side copies instead of uploads
  uint64_t skipped = 0;  // unchanged, or content already stored (touch)
  uint64_t failed = 0;
  uint64_t removed = 0;    // left the source since the last run (objects kept)
  uint64_t preserved = 0;  // old contents copied under .dredge/content/
  uint64_t bytes_uploaded = 0;
  bool used_listing = false;
  std::string versioning;          // the bucket's: "enabled", "suspended", "none"
  std::string versioning_warning;  // versioning was enabled at the last run and is not now
  // Retention extension after the run (filled by the caller under Object Lock).
  struct Retention {
    bool ran = false;
    uint64_t objects = 0, looked_up = 0, extended = 0, failed = 0, requests = 0;
    int64_t until = 0;
  } retention;
  std::string snapshot;               // id; empty for --dry-run
  std::vector<std::string> failures;  // first messages, each naming a file
};

Result<BackupSummary> RunFilesBackup(ObjectStore& store, StateIndex& index,
                                     const BackupOptions& opts);

}  // namespace dredge
