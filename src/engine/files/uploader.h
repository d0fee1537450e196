// Stores one planned file: hash it (streamed), skip it when the store already holds that
// content at its key, otherwise keep the old content reachable (ContentKeeper::Preserve), then
// copy server-side from a key holding the same content (dedup) or upload it with Content-MD5 and
// metadata `mtime` (seconds with fraction, as rclone writes it) and, for large objects, `md5`.
//
// A file that changes while it is read (size or mtime differ before and after) is tried once
// more, then reported as failed; the index is only updated for content that is stored. Thread-
// safe: many workers call ProcessItem with one shared context.
#pragma once

#include <cstdint>
#include <string>

#include "common/progress.h"
#include "engine/files/content_keeper.h"
#include "engine/files/planner.h"
#include "engine/files/state_index.h"
#include "store/object_store.h"

namespace dredge {

struct UploadContext {
  ObjectStore* store = nullptr;
  StateIndex* index = nullptr;
  ContentKeeper* keeper = nullptr;
  std::string source;                           // the source root
  uint64_t md5_metadata_min_size = 8ull << 20;  // at or above: also store metadata "md5"
  uint64_t dedup_min_size = 64ull << 10;        // smaller files are uploaded, not copied
  Progress* progress = nullptr;
};

struct ItemOutcome {
  enum class Kind { kUploaded, kCopied, kAlreadyStored, kFailed };
  Kind kind = Kind::kFailed;
  std::string md5;
  std::string error;  // for kFailed: names the file and says what happened
};

ItemOutcome ProcessItem(UploadContext& ctx, const WorkItem& item);

// What ProcessItem would do, for a dry run: hashes the file and decides kAlreadyStored (same
// content at its key), kCopied (another key holds the content) or kUploaded, writing nothing to
// the store or the index (it may list the content keys once). kFailed when the file cannot be
// read. A multipart object's MD5 is not looked up (one HEAD each): such a file counts as upload.
ItemOutcome ClassifyItem(UploadContext& ctx, const WorkItem& item);

// "1716768000.123456789": the x-amz-meta-mtime value for a time in ns since the epoch.
std::string MtimeMetadataValue(int64_t mtime_ns);
// Parses MtimeMetadataValue's format (and plain integer seconds); nullopt when malformed.
std::optional<int64_t> ParseMtimeMetadata(const std::string& value);

}  // namespace dredge
