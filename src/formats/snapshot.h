// Files-tier snapshots: the format is specified in docs/formats/snapshot.md (version 1).
//
// SnapshotWriter streams entries to a local temporary file (memory does not grow with the file
// count); the caller puts that file as the snapshot object once every data object is stored.
// ReadSnapshot parses a snapshot as a stream (SAX) and hands out one entry at a time. Paths are
// byte strings: a path that is not valid UTF-8 is written as "path_b64" and read back to the
// same bytes; nothing is normalised.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <string>

#include "common/status.h"
#include "store/object_store.h"

namespace dredge {

inline constexpr int kSnapshotFormatVersion = 1;

struct SnapshotEntry {
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  std::string md5;
  // On a versioned bucket: the version of the path key that holds these bytes ("" when the
  // bucket did not version them; then the resolution rule of docs/formats/snapshot.md applies).
  std::string version_id = {};
  // Under Object Lock: the retain-until (Unix seconds) that version is known to carry; 0 when
  // not known. Lets the next run extend retention without asking per object.
  int64_t retain_until = 0;
};

struct SnapshotHeader {
  std::string id;
  int64_t started_ns = 0;   // written as UTC ISO 8601 (second precision)
  int64_t finished_ns = 0;  // filled by the reader when present
  std::string source;
  std::string host;
  std::map<std::string, uint64_t> counts;  // filled by the reader (the writer takes them at Finish)
};

// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

class SnapshotWriter {
 public:
  // Creates the temporary file in `tmp_dir` (e.g. the system temp directory).
  static Result<std::unique_ptr<SnapshotWriter>> Create(const std::string& tmp_dir,
                                                        const SnapshotHeader& header);
  ~SnapshotWriter();  // removes the temporary file
  // Entries must be added in ascending byte order of their paths.
  Status Add(const SnapshotEntry& e);
  Status Finish(int64_t finished_ns, const std::map<std::string, uint64_t>& counts);
  const std::string& temp_path() const { return tmp_path_; }
  uint64_t entries() const { return entries_; }

 private:
  SnapshotWriter() = default;
  std::string tmp_path_;
  std::FILE* f_ = nullptr;
  uint64_t entries_ = 0;
  bool ok_ = true;
};

using SnapshotHeaderFn = std::function<Status(const SnapshotHeader&)>;
using SnapshotEntryFn = std::function<Status(const SnapshotEntry&)>;

// Parses a snapshot document. `on_entry` is called for every file entry in order; `on_header`
// once at the end with the top-level fields (they may follow the entries in the document).
// Corrupt naming `what` for malformed documents or a newer major version.
Status ParseSnapshot(std::istream& in, const std::string& what, const SnapshotEntryFn& on_entry,
                     const SnapshotHeaderFn& on_header);

// Downloads the snapshot `id` from the store into a temporary file and parses it.
Status ReadSnapshot(ObjectStore& store, const std::string& id, const SnapshotEntryFn& on_entry,
                    const SnapshotHeaderFn& on_header);

}  // namespace dredge
