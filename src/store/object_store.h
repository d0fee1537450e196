// ObjectStore: the one interface every storage driver implements (file://, s3://, memory) and
// every wrapper (store/wrap/: retry, rate limit) decorates. The conformance suite in
// tests/conformance/ tests each numbered sentence below on every driver.
//
// Keys
//  K1. A key is a non-empty UTF-8-or-not byte string of at most 1024 bytes, relative to the
//      store's root/prefix, '/'-separated. Keys are compared and stored byte-exact: no unicode
//      normalisation, no case folding, no collapsing of "//".
//  K2. A key that is empty, starts with '/', or contains a "." or ".." segment, a NUL byte or
//      "//"... is rejected with InvalidArgument by drivers that map keys onto a filesystem
//      (file://); drivers that can hold them (s3://, memory) may accept them. Callers that
//      restore to disk must validate keys themselves (restore refuses escaping keys).
//
// Operations (all thread-safe: one store object is shared by many workers)
//  O1. Put writes the whole object atomically: a concurrent or later reader sees either the old
//      object or the complete new one, never a part. On failure nothing new is visible.
//  O2. Put stores user metadata (lower-case ASCII keys, printable ASCII values) and returns the
//      stored ETag. For a single-part object the ETag is the lower-case hex MD5 of its bytes;
//      drivers verify it against the MD5 they were given or computed, and report Corrupt when
//      the store answered with a different one. Objects above the multipart threshold may carry
//      a multipart ETag ("<hex>-<parts>"); their MD5 is then kept in metadata "md5".
//  O3. Put with if_absent=true fails with PreconditionFailed when the key exists, where
//      capabilities().conditional_put is true. Where it is false the option is ignored (the
//      caller must not rely on it for mutual exclusion).
//  O4. Get streams the object's bytes to the sink in order; with a range, only [first, last]
//      inclusive (last clamped to the end). A missing key is NotFound.
//  O5. Stat returns size, ETag, last-modified and user metadata; a missing key is NotFound.
//  O6. List calls `fn` once per object whose key starts with `prefix`, in ascending byte order
//      of the key, each object exactly once, with size, ETag and last-modified (metadata is not
//      filled). Objects are delivered page by page as they arrive, never all buffered. If fn
//      returns a non-ok Status, listing stops and List returns it.
//  O7. Remove deletes the object; removing a missing key succeeds.
//  O8. Copy duplicates src to dst inside the store without sending the bytes through the
//      client, with src's metadata unless `metadata` is given. Missing src is NotFound.
//  O9. Errors are values of ErrorKind: NotFound, PreconditionFailed, Retryable (the retry
//      wrapper may try again: 5xx, SlowDown, throttling, resets, timeouts), Permanent (auth,
//      bad request: trying again will not help), Corrupt (bytes do not match their hash),
//      InvalidArgument (bad key). Messages name the key and never contain credentials.
// O10. Put with a retention stores the object locked in that mode until that time (s3://:
//      x-amz-object-lock-* headers; the bucket must have Object Lock enabled, which the
//      caller checks first: store/object_lock.h). Stores without Object Lock answer
//      Unsupported and store nothing.
// O11. Put may return in PutResult::content_md5 the lower-case hex MD5 of the bytes it stored,
//      computed by the driver from the bytes it read from the source while storing them
//      (file://, memory: always; s3://: for a single-part put whose content_md5_hex was empty,
//      checked by the server as Content-MD5). Empty when the driver computed none; a caller that
//      needs the MD5 then hashes the source itself. Unlike the ETag it is never anything but the
//      MD5 (an SSE-KMS ETag is not), so a caller may record it as the object's content hash
//      without reading the source a second time. Wrappers pass it through.
//
// Durability
//  D1. Put (without defer_durability) and Copy return only once the object is as durable as
//      the store can make it (file://, s3: it survives a crash of the machine; memory: it lives
//      as long as the store object).
//  D2. Put with defer_durability=true may return before the object is durable; O1-O3 still hold
//      for every reader while the system runs, but after a machine crash the object may be
//      missing or damaged. Such an object is durable once a later Sync() on the same store
//      object returns Ok: Sync makes durable every deferred Put that returned before Sync was
//      called. Drivers whose Put is always durable (s3, memory) ignore the flag and their Sync
//      returns Ok. Wrappers forward Sync. A caller that records objects in another object (a
//      manifest naming chunks) puts them deferred and calls Sync before writing the record, so
//      the store pays for durability once per run instead of once per object.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "store/byte_io.h"

namespace dredge {

using Metadata = std::map<std::string, std::string>;

struct ObjectInfo {
  std::string key;  // relative to the store root/prefix
  uint64_t size = 0;
  std::string etag;        // without quotes; lower-case hex MD5 for single-part objects
  int64_t mtime_ns = 0;    // last-modified as the store reports it (ns since the Unix epoch)
  Metadata metadata;       // filled by Stat only
  std::string version_id;  // where the store versions objects; else empty
  // Object Lock retention of the object (Stat only, where the store has Object Lock): mode
  // "GOVERNANCE"/"COMPLIANCE" and retain-until in Unix seconds; empty/0 when none.
  // (Initialised so the six-field initialisers drivers use stay complete.)
  std::string lock_mode = {};
  int64_t lock_retain_until = {};
};

// An Object Lock retention asked for on a write (docs/object-lock.md): the object cannot be
// removed or overwritten (that version) before `retain_until` (Unix seconds, whole).
struct Retention {
  std::string mode;  // "GOVERNANCE" or "COMPLIANCE"
  int64_t retain_until = 0;
};

struct PutOptions {
  Metadata metadata;
  std::string content_md5_hex;    // known MD5 of the bytes; computed by the driver when empty
  bool if_absent = false;         // O3
  std::string content_type;       // default application/octet-stream
  bool defer_durability = false;  // D2: durable only after a later Sync()
  // O10: written with this Object Lock retention. Drivers without Object Lock (memory, file)
  // refuse it with Unsupported, so a caller never believes unprotected bytes are locked.
  std::optional<Retention> retention;
};

struct PutResult {
  std::string etag;
  std::string version_id;
  std::string content_md5 = {};  // O11: empty when the driver did not compute it
};

struct ByteRange {
  uint64_t first = 0;
  uint64_t last = UINT64_MAX;  // inclusive
};

struct StoreCapabilities {
  bool conditional_put = false;  // O3 enforced
  bool versioning = false;       // overwritten content stays reachable by version id
  bool server_side_copy = true;
};

using ListFn = std::function<Status(const ObjectInfo&)>;

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  virtual Result<PutResult> Put(std::string_view key, const ByteSource& src,
                                const PutOptions& opts) = 0;
  virtual Status Get(std::string_view key, ByteSink& sink,
                     std::optional<ByteRange> range = std::nullopt) = 0;
  virtual Result<ObjectInfo> Stat(std::string_view key) = 0;
  virtual Status List(std::string_view prefix, const ListFn& fn) = 0;
  virtual Status Remove(std::string_view key) = 0;
  virtual Status Copy(std::string_view src_key, std::string_view dst_key,
                      const std::optional<Metadata>& metadata = std::nullopt) = 0;

  // D2: makes every deferred Put that returned before this call durable. Pure, so that a
  // wrapper cannot silently drop durability by forgetting to forward it; drivers whose Put is
  // always durable return Ok.
  virtual Status Sync() = 0;

  virtual StoreCapabilities capabilities() const = 0;
  // A description for messages and logs: the URL without credentials, e.g. "s3://bucket/pfx".
  virtual std::string Describe() const = 0;
};

// Convenience for small objects (records, manifests): whole object in memory.
Result<PutResult> PutString(ObjectStore& store, std::string_view key, std::string_view bytes,
                            const PutOptions& opts = {});
Result<std::string> GetString(ObjectStore& store, std::string_view key);

// O10 for drivers without Object Lock: Unsupported naming the key when `opts` asks for a
// retention, else Ok.
Status RefuseRetention(const PutOptions& opts, std::string_view key);

// Shared key check for drivers that map keys onto paths (K2). Returns InvalidArgument naming
// the key, or Ok.
Status ValidatePathKey(std::string_view key);

}  // namespace dredge
