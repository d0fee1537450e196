// object_store.h D2: the wrappers (retry, limit) forward Sync to the driver they wrap, once,
// and return its error unchanged; without that, chunks put with deferred durability through a
// wrapped file:// store would never be made durable.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "ops/limits.h"
#include "store/memory/memory_store.h"
#include "store/wrap/limit_store.h"
#include "store/wrap/retry_store.h"

namespace dredge {
namespace {

class SyncCountingStore final : public ObjectStore {
 public:
  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override {
    return inner_.Put(key, src, opts);
  }
  Status Get(std::string_view key, ByteSink& sink, std::optional<ByteRange> range) override {
    return inner_.Get(key, sink, range);
  }
  Result<ObjectInfo> Stat(std::string_view key) override { return inner_.Stat(key); }
  Status List(std::string_view prefix, const ListFn& fn) override {
    return inner_.List(prefix, fn);
  }
  Status Remove(std::string_view key) override { return inner_.Remove(key); }
  Status Copy(std::string_view s, std::string_view d, const std::optional<Metadata>& m) override {
    return inner_.Copy(s, d, m);
  }
  Status Sync() override {
    ++syncs;
    return result;
  }
  StoreCapabilities capabilities() const override { return inner_.capabilities(); }
  std::string Describe() const override { return "counting"; }

  std::atomic<int> syncs{0};
  Status result;

 private:
  MemoryStore inner_;
};

RetryEnv InstantEnv() {
  RetryEnv env;
  env.sleep = [](std::chrono::milliseconds) {};
  env.now_ns = [] { return int64_t{0}; };
  env.seed = 1;
  return env;
}

TEST(StoreSyncForwarding, RetryStoreForwardsSyncOnceAndItsError) {
  auto inner = std::make_shared<SyncCountingStore>();
  RetryStore retry(inner, RetryPolicy{}, InstantEnv());
  EXPECT_TRUE(retry.Sync().ok());
  EXPECT_EQ(inner->syncs.load(), 1);
  inner->result = Status::Io("cannot sync the filesystem of /x: Input/output error");
  Status s = retry.Sync();
  EXPECT_EQ(s.kind(), ErrorKind::kIo) << s.ToString();
  EXPECT_EQ(inner->syncs.load(), 2);  // not retried: EIO does not heal
}

TEST(StoreSyncForwarding, LimitStoreForwardsSyncAndItsError) {
  auto inner = std::make_shared<SyncCountingStore>();
  auto limiter = std::make_shared<Limiter>(1 << 20, 1000.0);
  LimitStore limited(inner, limiter);
  EXPECT_TRUE(limited.Sync().ok());
  EXPECT_EQ(inner->syncs.load(), 1);
  inner->result = Status::Io("disk gone");
  EXPECT_EQ(limited.Sync().kind(), ErrorKind::kIo);
  EXPECT_EQ(inner->syncs.load(), 2);
}

}  // namespace
}  // namespace dredge
