// Object versions (V1-V6): an optional interface beside ObjectStore (object_store.h) for stores
// that keep what a Put replaces or a Remove deletes as noncurrent versions (an S3 bucket with
// versioning enabled or suspended; a MemoryStore made versioned). A driver offers it by also
// deriving from ObjectVersions; StoreWrapper derives from it and forwards, so wrappers (retry,
// limits, retention) pass it through. Callers use the free functions, which work on any
// ObjectStore. docs/object-lock.md and docs/formats/snapshot.md say how dredge uses versions.
//
//  V1. VersioningOf reports the store's state: kNone (never enabled, or a store without the
//      interface: file://), kEnabled, or kSuspended (enabled once, now suspended: new Puts
//      overwrite the "null" version and return no id).
//  V2. On an Enabled store every Put returns the new version's id in PutResult.version_id
//      (non-empty, opaque, at most 1024 bytes) and Stat's ObjectInfo.version_id is the current
//      version's id. Remove adds a delete marker: the key vanishes from Get/Stat/List, its
//      versions stay.
//  V3. GetVersion/StatVersion read one version by id, current or not, like Get/Stat (O4/O5;
//      StatVersion also fills lock_mode/lock_retain_until where the store has Object Lock). An
//      id the key does not have (never existed, permanently removed, or a delete marker's) is
//      NotFound naming the key and the id.
//  V4. ListVersions calls `fn` once per version and delete marker whose key starts with
//      `prefix`: ascending by key, newest first within a key, page by page (never all
//      buffered). Each carries is_latest, delete_marker, and for versions size, ETag and
//      last-modified; lock fields are not filled (StatVersion fills them).
//  V5. RemoveVersion permanently deletes one version or delete marker; an id that is already
//      gone succeeds. A version under Object Lock retention (retain-until in the future) is
//      refused with Permanent naming the key, the id and the date: callers check with
//      StatVersion first and do not try.
//  V6. ExtendRetention sets one version's Object Lock retention to `r`. Callers only ever
//      extend (r.retain_until later than the version's current date, same mode); a store may
//      refuse a shortening or a mode change with Permanent. Stores without Object Lock answer
//      Unsupported.
// Every method of a store that does not offer the interface answers Unsupported naming the
// store, except VersioningOf (kNone).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/object_store.h"

namespace dredge {

enum class Versioning { kNone, kEnabled, kSuspended };

struct VersionInfo {
  std::string key;  // relative to the store root/prefix
  std::string version_id;
  bool is_latest = false;
  bool delete_marker = false;
  uint64_t size = 0;     // 0 for a delete marker
  std::string etag;      // without quotes; empty for a delete marker
  int64_t mtime_ns = 0;  // last-modified (ns since the Unix epoch)
};

using VersionListFn = std::function<Status(const VersionInfo&)>;

class ObjectVersions {
 public:
  virtual ~ObjectVersions() = default;
  virtual Result<Versioning> VersioningState() = 0;
  virtual Status GetVersion(std::string_view key, std::string_view version_id, ByteSink& sink,
                            std::optional<ByteRange> range) = 0;
  virtual Result<ObjectInfo> StatVersion(std::string_view key, std::string_view version_id) = 0;
  virtual Status ListVersions(std::string_view prefix, const VersionListFn& fn) = 0;
  virtual Status RemoveVersion(std::string_view key, std::string_view version_id) = 0;
  virtual Status ExtendRetention(std::string_view key, std::string_view version_id,
                                 const Retention& retention) = 0;
};

// V1-V6 for any store (see above).
Result<Versioning> VersioningOf(ObjectStore& store);
Status GetVersion(ObjectStore& store, std::string_view key, std::string_view version_id,
                  ByteSink& sink, std::optional<ByteRange> range = std::nullopt);
Result<ObjectInfo> StatVersion(ObjectStore& store, std::string_view key,
                               std::string_view version_id);
Status ListVersions(ObjectStore& store, std::string_view prefix, const VersionListFn& fn);
Status RemoveVersion(ObjectStore& store, std::string_view key, std::string_view version_id);
Status ExtendRetention(ObjectStore& store, std::string_view key, std::string_view version_id,
                       const Retention& retention);

}  // namespace dredge
