// Shared helpers for the files-tier unit tests: a scratch directory, files with chosen mtimes,
// and a store wrapper that counts requests (to prove what a run did not send) and can fail Sync.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "store/memory/memory_store.h"
#include "store/wrap/store_wrapper.h"

namespace dredge::testing {

class ScratchDir {
 public:
  ScratchDir() {
    char tmpl[] = "/tmp/dredge-files-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, const std::string& bytes, int64_t mtime_s = 0) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  if (mtime_s) {
    struct timespec t[2] = {{mtime_s, 123456789}, {mtime_s, 123456789}};
    ::utimensat(AT_FDCWD, path.c_str(), t, 0);
  }
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline int64_t MtimeNs(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

// Counts requests per kind; data_puts counts puts outside .dredge/.
class CountingStore final : public StoreWrapper {
 public:
  explicit CountingStore(std::shared_ptr<ObjectStore> inner) : StoreWrapper(std::move(inner)) {}
  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override {
    ++puts;
    if (!key.starts_with(".dredge/")) ++data_puts;
    return inner()->Put(key, src, opts);
  }
  Status Get(std::string_view key, ByteSink& sink, std::optional<ByteRange> range) override {
    ++gets;
    return inner()->Get(key, sink, range);
  }
  Result<ObjectInfo> Stat(std::string_view key) override {
    ++stats;
    return inner()->Stat(key);
  }
  Status List(std::string_view prefix, const ListFn& fn) override {
    ++lists;
    return inner()->List(prefix, fn);
  }
  Status Remove(std::string_view key) override {
    ++removes;
    return inner()->Remove(key);
  }
  Status Copy(std::string_view s, std::string_view d, const std::optional<Metadata>& m) override {
    ++copies;
    return inner()->Copy(s, d, m);
  }
  Status Sync() override {
    ++syncs;
    return fail_sync ? Status::Io("injected: the disk is gone") : inner()->Sync();
  }
  void Reset() { puts = data_puts = gets = stats = lists = removes = copies = syncs = 0; }

  std::atomic<int> puts{0}, data_puts{0}, gets{0}, stats{0}, lists{0}, removes{0}, copies{0},
      syncs{0};
  std::atomic<bool> fail_sync{false};
};

}  // namespace dredge::testing
