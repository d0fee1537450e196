// In-memory ObjectStore for unit tests: keeps every object in a map behind one mutex.
// Honours the whole contract in store/object_store.h, including conditional puts, and, when
// made versioned, V1-V6 of store/object_versions.h (with Object Lock retention when asked), so
// planners and executors that deal with versions and locks are tested in-process.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "store/object_store.h"
#include "store/object_versions.h"

namespace dredge {

struct MemoryStoreOptions {
  bool versioned = false;    // V1 Enabled: Puts add versions, Remove adds delete markers
  bool object_lock = false;  // O10 accepted (needs versioned); V5 refuses locked versions
};

class MemoryStore final : public ObjectStore, public ObjectVersions {
 public:
  explicit MemoryStore(std::string name = "memory", MemoryStoreOptions options = {})
      : name_(std::move(name)), options_(options) {}

  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override;
  Status Get(std::string_view key, ByteSink& sink, std::optional<ByteRange> range) override;
  Result<ObjectInfo> Stat(std::string_view key) override;
  Status List(std::string_view prefix, const ListFn& fn) override;
  Status Remove(std::string_view key) override;
  Status Copy(std::string_view src_key, std::string_view dst_key,
              const std::optional<Metadata>& metadata) override;
  // D2: nothing outlives the process, so nothing is deferred.
  Status Sync() override { return Status::Ok(); }
  StoreCapabilities capabilities() const override { return {true, options_.versioned, true}; }
  std::string Describe() const override { return "memory://" + name_; }

  Result<Versioning> VersioningState() override;
  Status GetVersion(std::string_view key, std::string_view version_id, ByteSink& sink,
                    std::optional<ByteRange> range) override;
  Result<ObjectInfo> StatVersion(std::string_view key, std::string_view version_id) override;
  Status ListVersions(std::string_view prefix, const VersionListFn& fn) override;
  Status RemoveVersion(std::string_view key, std::string_view version_id) override;
  Status ExtendRetention(std::string_view key, std::string_view version_id,
                         const Retention& retention) override;

  // Test hooks: direct access to the stored bytes. ObjectCount counts current objects.
  size_t ObjectCount() const;
  bool CorruptForTest(std::string_view key, size_t offset);
  // Versions and delete markers held, current or not.
  size_t VersionCount() const;
  // Suspends versioning (V1 kSuspended): later Puts replace the "null" version.
  void SuspendVersioningForTest();

 private:
  struct Version {
    std::string id;  // "" on an unversioned store, "null" once suspended
    bool delete_marker = false;
    std::string data;
    Metadata metadata;
    std::string etag;
    int64_t mtime_ns = 0;
    std::optional<Retention> retention;
  };
  using Versions = std::vector<Version>;  // oldest first; back() is the current one

  // Called with mu_ held.
  void AddVersion(std::string_view key, Version v);
  const Version* Current(std::string_view key) const;
  const Version* Find(std::string_view key, std::string_view version_id) const;
  static ObjectInfo InfoOf(std::string_view key, const Version& v);
  static Status Read(std::string_view key, const std::string& data, std::optional<ByteRange> range,
                     std::string& out);

  std::string name_;
  MemoryStoreOptions options_;
  bool suspended_ = false;
  mutable std::mutex mu_;
  uint64_t next_version_ = 1;
  std::map<std::string, Versions, std::less<>> objects_;
};

}  // namespace dredge
