// The reference sets a files prune decides with, kept in a private temporary SQLite database so
// memory stays bounded whatever the number of files and snapshots (pages spill to a temp file
// that disappears on close).
//
// Sets: entries (path, md5) of the kept snapshots and of the retiring ones, the data objects of
// the store (key, size, md5 or "" when unknown), and its content objects (.dredge/content/<md5>).
// Queries, each streamed in key order:
// - DeletableData: data objects whose (key, md5) a retiring snapshot names and no kept snapshot
//   does. Objects no snapshot ever named (another run's in-flight uploads, foreign objects) and
//   objects of unknown MD5 are never deletable.
// - DeletableContent: content objects whose MD5 no kept entry needs, where a kept entry needs
//   `.dredge/content/<md5>` exactly when the data object at its path does not hold its MD5.
// - UnresolvedKept: kept entries whose bytes are in neither place (already broken before prune).
// Add* calls must all precede the queries (one write transaction, committed by Seal()).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace dredge {

class PruneRefs {
 public:
  enum class Set { kKept, kRetiring };
  using KeyFn = std::function<Status(const std::string& key, uint64_t size)>;

  static Result<std::unique_ptr<PruneRefs>> Create();
  ~PruneRefs();

  Status AddEntry(Set set, const std::string& path, const std::string& md5);
  // `md5` is the plain MD5 when the ETag is one, else "" (resolve with SetDataMd5).
  Status AddDataObject(const std::string& key, uint64_t size, const std::string& md5);
  Status AddContentObject(const std::string& md5, uint64_t size);
  Status Seal();

  // Data objects of unknown MD5 that some snapshot entry names: the caller Stats them.
  Result<std::vector<std::string>> DataKeysToResolve();
  Status SetDataMd5(const std::string& key, const std::string& md5);

  Status DeletableData(const KeyFn& fn);
  Status DeletableContent(const KeyFn& fn);  // key = the md5
  Result<uint64_t> UnresolvedKept();

 private:
  PruneRefs() = default;
  Status Exec(const char* sql);
  Status Query(const char* sql, const KeyFn& fn);
  sqlite3* db_ = nullptr;
  sqlite3_stmt* add_kept_ = nullptr;
  sqlite3_stmt* add_retiring_ = nullptr;
  sqlite3_stmt* add_data_ = nullptr;
  sqlite3_stmt* add_content_ = nullptr;
};

}  // namespace dredge
