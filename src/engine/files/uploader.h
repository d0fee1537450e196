// Stores one planned file: skip it when the store already holds that content at its key,
// otherwise keep the old content reachable (ContentKeeper::Preserve; on a versioned bucket the
// bucket keeps it and the row records the upload's version id), then copy server-side from a
// key holding the same content (dedup) or upload it with metadata `mtime` (seconds with
// fraction, as rclone writes it) and, for objects of md5_metadata_min_size or more, `md5`.
// The file is hashed (streamed) before the put only when one of those decisions needs its MD5:
// the previous version of the key has the same size, a content of exactly its size is known
// (ContentKeeper::MayHoldSize), or metadata `md5` is due; the upload then carries it as
// Content-MD5. Otherwise the put reads the file once and the row records the MD5 the driver
// computed from what it stored (object_store.h O11), or, from a driver that computed none, the
// file's MD5 read after the put under the same unchanged stat.
//
// A file that changes while it is read (size or mtime differ before and after) is tried once
// more, then reported as failed; the index is only updated for content that is stored. Thread-
// safe: many workers call ProcessItem with one shared context.
//
// Durability: uploads are put with defer_durability (object_store.h D2). Their index rows go
// through a SyncedRecorder, which writes them to the index only after a store Sync() that
// covers them returned, so an index row never names an object a machine crash can damage.
// After an unclean stop (UploadContext::verify_listed_prev), an object the store's listing
// names is read back and hashed before it is trusted as "already stored" or preserved: the
// listing of a crashed store may describe bytes that never reached its disk.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "common/progress.h"
#include "engine/files/content_keeper.h"
#include "engine/files/planner.h"
#include "engine/files/state_index.h"
#include "store/object_store.h"

namespace dredge {

// Gathers index rows of stored files and records them in batches: when `batch_files` rows or
// `batch_ns` have gathered, one store.Sync() runs, then the rows are written to the index and
// committed. Thread-safe; the thread whose Add fills a batch does that work. A failed Sync or
// index write is returned by that Add, by every later Add and by Finish (rows not recorded
// are redone by the next run).
class SyncedRecorder {
 public:
  SyncedRecorder(ObjectStore& store, StateIndex& index, size_t batch_files, int64_t batch_ns);
  // The row of a file whose object was put (deferred or not) before this call.
  Status Add(IndexRow row);
  // Syncs and records what is gathered; call after the last put and before the snapshot.
  Status Finish();
  uint64_t syncs() const { return syncs_.load(); }

 private:
  Status Record(std::vector<IndexRow> rows);

  ObjectStore& store_;
  StateIndex& index_;
  const size_t batch_files_;
  const int64_t batch_ns_;
  std::mutex mu_;  // guards pending_, started_ns_, failed_
  std::vector<IndexRow> pending_;
  int64_t started_ns_ = 0;
  Status failed_;
  std::mutex record_mu_;  // one Sync + commit at a time
  std::atomic<uint64_t> syncs_{0};
};

struct UploadContext {
  ObjectStore* store = nullptr;
  StateIndex* index = nullptr;         // read for dedup sources
  SyncedRecorder* recorder = nullptr;  // where rows go; without one, straight to `index`
  // The previous run stopped uncleanly: read back listed objects before trusting them.
  bool verify_listed_prev = false;
  ContentKeeper* keeper = nullptr;
  // The bucket has versioning enabled: what an upload replaces stays as a noncurrent version,
  // so nothing is preserved under .dredge/content/ and rows carry the new version's id.
  bool versioned = false;
  // Under Object Lock: the retention every write gets (seconds); rows of stored content record
  // a lower bound of their retain-until (the time before the write + this). 0: no lock.
  int64_t retain_seconds = 0;
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
