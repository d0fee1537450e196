// In-memory ObjectStore for unit tests: keeps every object in a map behind one mutex.
// Honours the whole contract in store/object_store.h, including conditional puts.
#pragma once

#include <map>
#include <mutex>

#include "store/object_store.h"

namespace dredge {

class MemoryStore final : public ObjectStore {
 public:
  explicit MemoryStore(std::string name = "memory") : name_(std::move(name)) {}

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
  StoreCapabilities capabilities() const override { return {true, false, true}; }
  std::string Describe() const override { return "memory://" + name_; }

  // Test hooks: direct access to the stored bytes.
  size_t ObjectCount() const;
  bool CorruptForTest(std::string_view key, size_t offset);

 private:
  struct Object {
    std::string data;
    Metadata metadata;
    std::string etag;
    int64_t mtime_ns = 0;
  };
  std::string name_;
  mutable std::mutex mu_;
  std::map<std::string, Object, std::less<>> objects_;
};

}  // namespace dredge
