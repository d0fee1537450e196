// The files verify engine.
//
// Fast mode compares the store's listing (data keys only) with either the source directory
// (`source` set) or the newest snapshot:
// - missing:   a source file / snapshot entry with no object at its key (for a snapshot entry:
//              and no preserved copy under .dredge/content/<md5> either);
// - different: the object's size or MD5 differs from the file / entry (for a snapshot entry
//              only when its content is not preserved elsewhere, i.e. it is not restorable);
// - extra:     data objects that match no source file / entry. Removed files keep their objects
//              by design, so extras are reported but are not a mismatch.
// A snapshot entry with a version_id is checked by that version (HEAD ?versionId=: size and
// MD5; --deep also hashes it); a version the bucket lost is missing, named with its id, unless
// an MD5-equal copy exists by the other rules (docs/formats/snapshot.md).
// Source files' MD5s come from the state index when size, mtime and inode match it, otherwise
// the file is hashed. Deep mode additionally downloads and hashes every data object and every
// .dredge/content/ object (streamed, bounded memory) and reports the corrupt ones by name.
// Listing rows are kept in a temporary SQLite file, so memory does not grow with the store.
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

struct VerifyOptions {
  std::string source;       // empty: compare with a snapshot
  std::string snapshot_id;  // used when source is empty (the caller picks the newest)
  bool deep = false;
  int workers = 16;
  PathFilter filter;
  std::string tmp_dir = "/tmp";
  StateIndex* index = nullptr;  // optional: saves hashing unchanged source files
  Progress* progress = nullptr;
};

struct VerifySummary {
  uint64_t checked = 0;
  uint64_t missing = 0;
  uint64_t different = 0;  // includes corrupt objects found by --deep
  uint64_t extra = 0;
  uint64_t corrupt = 0;
  uint64_t objects_hashed = 0;
  std::vector<std::string> problems;  // first messages, each naming a key
  bool mismatch() const { return missing + different > 0; }
};

Result<VerifySummary> RunFilesVerify(ObjectStore& store, const VerifyOptions& opts);

}  // namespace dredge
