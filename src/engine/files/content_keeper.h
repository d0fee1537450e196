// Keeps content reachable and finds content the store already holds.
//
// - Preserve(key, md5): before a backup overwrites `key`, whose object holds content `md5` that a
//   snapshot may reference, make sure `.dredge/content/<md5>` exists. It copies server-side and
//   checks the copy's ETag/metadata; when the server cannot copy the key (some servers mishandle
//   keys with `+ # ? = & :`), it streams the object through a temporary file instead. A key that
//   no longer exists has nothing to preserve (Ok). Any other failure is returned and the caller
//   must not overwrite the key.
// - FindCopySource(md5, except): a key that holds content `md5` (a content key, else an indexed
//   path other than `except`) for a server-side dedup copy; nullopt when none is known.
// - MayHoldSize(size): false only when no content key and no indexed path has that size, so
//   FindCopySource cannot find a source for any content of `size` bytes; a caller may then skip
//   hashing a file before storing it. True when it cannot tell (an error listing or querying,
//   or a size below the sizes the index keeps, StateIndex::kSizeIndexMin).
// - CopyVerified copies and then checks that the destination has the expected MD5 (the source
//   may have been overwritten meanwhile); Corrupt when it does not.
// The set of existing content keys is listed once, on first use, and is thread-safe.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

#include "common/status.h"
#include "engine/files/state_index.h"
#include "store/object_store.h"

namespace dredge {

// True when the object described by `info` (from Stat) holds content `md5`.
bool ObjectHasMd5(const ObjectInfo& info, const std::string& md5);

// `version_id`, when given, receives the copy's version id (versioned stores; else "").
Status CopyVerified(ObjectStore& store, const std::string& src, const std::string& dst,
                    const std::string& md5, const std::optional<Metadata>& metadata,
                    std::string* version_id = nullptr);

class ContentKeeper {
 public:
  ContentKeeper(ObjectStore& store, StateIndex* index) : store_(store), index_(index) {}

  // `size`: the object's size in bytes (remembered for MayHoldSize).
  Status Preserve(const std::string& key, const std::string& md5, uint64_t size);
  std::optional<std::string> FindCopySource(const std::string& md5, const std::string& except);
  bool MayHoldSize(uint64_t size);
  uint64_t preserved() const { return preserved_; }

 private:
  Status LoadLocked();
  Status TransferThroughClient(const std::string& src, const std::string& dst,
                               const std::string& md5);
  ObjectStore& store_;
  StateIndex* index_;
  std::mutex mu_;
  bool loaded_ = false;
  std::unordered_set<std::string> known_;     // md5s with a content key
  std::unordered_set<uint64_t> known_sizes_;  // their sizes
  uint64_t preserved_ = 0;
};

}  // namespace dredge
