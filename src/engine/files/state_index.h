// The local state index of the files tier: one SQLite database (WAL) per destination that
// remembers, for every file the last runs stored, its size, mtime_ns, inode and MD5. It is a
// cache: losing it costs time (the store listing rebuilds it), never correctness.
//
// Contract:
// - Open creates the file and its directory when missing. An index records the destination URL
//   it belongs to; opening it for another destination is a Usage error naming both.
// - Writes (Put/Remove) are thread-safe and committed in batches (every kBatchRows rows or
//   kBatchSeconds seconds, and on Flush): a kill -9 loses at most the last batch, which the next
//   run redoes by hashing (never by uploading content the store already holds). Commits are not
//   synced to disk (WAL, synchronous=NORMAL): a machine crash may lose the last commits, never
//   a commit while keeping a later one.
// - Rows are never dropped when a file leaves the source: they are marked removed, because the
//   object stays in the store and a file reappearing under that name must not overwrite it
//   without first preserving its content.
// - Ordered reads (OpenCursor) run on their own connection and see the index as it was when the
//   cursor started: rows come in ascending byte order of the path, the order WalkTree reports.
// - The "remote" table holds a copy of the store's listing for runs without an index; it is
//   replaced by LoadRemote and read with OpenCursor(kRemote).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace dredge {

struct IndexRow {
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ns = -1;  // -1: unknown (rows from the store listing)
  uint64_t inode = 0;
  std::string md5;  // lower-case hex; for listing rows the ETag (may be multipart "x-n")
  // The file left the source; its object (with this md5) stays in the store. Kept so a file that
  // reappears under the same name does not overwrite content older snapshots reference.
  bool removed = false;
  // On a versioned bucket: the version of the key that holds this content ("" when not known;
  // the snapshot writer then asks the store, docs/formats/snapshot.md).
  std::string version_id = {};
  // Under Object Lock: the retain-until (Unix seconds) that version carries as far as dredge
  // knows (a lower bound: set at the write, raised by retention extension); 0 when not known.
  int64_t retain_until = 0;
};

class StateIndex {
 public:
  static constexpr int kBatchRows = 512;
  static constexpr int kBatchSeconds = 1;
  enum class Table { kFiles, kRemote };

  // Default location: ~/.cache/dredge/<first 16 hex of sha256(dest_url)>.sqlite
  // (DredgeCacheDir(): $XDG_CACHE_HOME is honoured; no HOME → /tmp/dredge-<uid>).
  static std::string DefaultPath(const std::string& dest_url);
  static Result<std::unique_ptr<StateIndex>> Open(const std::string& path,
                                                  const std::string& dest_url);
  ~StateIndex();

  const std::string& path() const { return path_; }
  Result<uint64_t> Count(Table table);

  Status Put(const IndexRow& row);
  Status Remove(const std::string& path);
  Status MarkRemoved(const std::string& path);
  // Small key/value records (e.g. "run_incomplete"); empty string when unset. SetMeta commits
  // pending writes and then the record, durably (the WAL is synced): a marker set before a run
  // writes anything survives a machine crash, and so does every row committed before it.
  Result<std::string> GetMeta(const std::string& key);
  Status SetMeta(const std::string& key, const std::string& value);
  // Commits pending writes.
  Status Flush();
  // The row for `path`, or nullopt.
  Result<std::optional<IndexRow>> Lookup(const std::string& path);
  // A path whose indexed content has this MD5 (for dedup); nullopt when none.
  Result<std::optional<std::string>> PathWithMd5(const std::string& md5);
  // Whether some row (removed ones too, as PathWithMd5 sees them) has this size: when none
  // does, PathWithMd5 finds no path for any content of that size. Sizes are indexed only from
  // kSizeIndexMin (the default dedup size, so the rows of small files cost no index); below it
  // HasSize answers InvalidArgument.
  static constexpr uint64_t kSizeIndexMin = 64 << 10;
  Result<bool> HasSize(uint64_t size);
  // Replaces the remote table with rows produced by `fill` (called with an add function).
  Status ClearRemote();
  Status AddRemote(const IndexRow& row);

  class Cursor {
   public:
    ~Cursor();
    // Fills *row and returns true, or false at the end; errors as Status.
    Result<bool> Next(IndexRow* row);

   private:
    friend class StateIndex;
    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
    std::string path_;
  };
  Result<std::unique_ptr<Cursor>> OpenCursor(Table table);

 private:
  StateIndex() = default;
  Status MaybeCommitLocked(bool force);
  Status BeginLocked();
  Status ExecLocked(const char* sql);
  // The steps of Open, with mu_ held: tables and indexes; the columns older indexes lack;
  // the destination the index describes (recorded on first use, Usage for another one); the
  // prepared statements.
  Status CreateSchemaLocked();
  Status AddMissingColumnsLocked();
  Status CheckDestinationLocked(const std::string& dest_url);
  Status PrepareStatementsLocked();

  std::string path_;
  sqlite3* db_ = nullptr;
  std::mutex mu_;
  sqlite3_stmt* put_ = nullptr;
  sqlite3_stmt* remove_ = nullptr;
  sqlite3_stmt* mark_removed_ = nullptr;
  sqlite3_stmt* by_md5_ = nullptr;
  sqlite3_stmt* by_size_ = nullptr;
  sqlite3_stmt* lookup_ = nullptr;
  sqlite3_stmt* add_remote_ = nullptr;
  bool in_txn_ = false;
  int pending_ = 0;
  int64_t txn_started_ns_ = 0;
};

}  // namespace dredge
