// The files restore engine: reads one snapshot as a stream and restores its files under a
// target directory with a worker pool.
//
// For every entry (selected by the filter), what is at its destination decides first
// (engine/files/restore_decide.h):
// - A key that would land outside the target (absolute, "..", empty segments) or is one of the
//   tool's records (.dredge/) is refused and counted as failed, by name.
// - An existing identical file (same size and MD5) is skipped. An existing different file is
//   left alone and reported as a conflict unless `overwrite`.
// - With `dry_run` nothing is created or fetched: the counts are what a restore would do
//   (`restored` = would restore or replace), each decision is logged at debug level, conflicts
//   and refusals as warnings, as in a real run.
// - The bytes come from the version the entry names (version_id), else from the object at the
//   path key when it holds the entry's MD5, else from .dredge/content/<md5>; a named version
//   the bucket lost is named in a warning, or in the failure when no MD5-equal copy exists
//   (docs/formats/snapshot.md). They are streamed into a temporary file in
//   the target directory, MD5-checked, given the snapshot's mtime, then renamed into place: a
//   file is either absent, its old self, or complete. Content found nowhere → failed, by name.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/progress.h"
#include "common/status.h"
#include "engine/files/glob.h"
#include "store/object_store.h"

namespace dredge {

struct RestoreOptions {
  std::string target;
  std::string snapshot_id;  // chosen by the caller (snapshot_catalog.h)
  PathFilter filter;
  // When set, only entries it accepts (and `filter` selects) are restored: `dredge drill`
  // restores an exact sample of paths, which globs cannot name.
  std::function<bool(const std::string& path)> select;
  bool overwrite = false;
  bool dry_run = false;
  int workers = 16;
  Progress* progress = nullptr;
};

struct RestoreSummary {
  uint64_t restored = 0;
  uint64_t skipped = 0;    // identical file already there
  uint64_t conflicts = 0;  // different file already there, left alone (no --overwrite)
  uint64_t failed = 0;     // refused keys, content not found, I/O errors (conflicts included)
  uint64_t bytes = 0;
  std::vector<std::string> problems;  // first messages, each naming a file
};

Result<RestoreSummary> RunFilesRestore(ObjectStore& store, const RestoreOptions& opts);

}  // namespace dredge
