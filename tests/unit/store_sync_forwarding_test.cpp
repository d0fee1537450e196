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
#include "store/wrap/store_wrapper.h"

namespace dredge {
namespace {

// A leaf store for the test: a memory store whose Sync only counts and answers `result`.
class SyncCountingStore final : public StoreWrapper {
 public:
  SyncCountingStore() : StoreWrapper(std::make_shared<MemoryStore>()) {}
  Status Sync() override {
    ++syncs;
    return result;
  }
  std::string Describe() const override { return "counting"; }

  std::atomic<int> syncs{0};
  Status result;
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
