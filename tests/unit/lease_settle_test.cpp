// The lease step's timing: a conditional create spends no settle wait; a store without
// conditional writes and a takeover wait out `settle` and read back (ops/lease.h).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

#include "common/time_util.h"
#include "ops/lease.h"
#include "store/memory/memory_store.h"
#include "unit/forwarding_store.h"

namespace dredge {
namespace {

using namespace std::chrono_literals;

struct SleepRecorder {
  std::mutex mu;
  std::vector<std::chrono::milliseconds> waits;
  std::function<void(std::chrono::milliseconds)> Fn() {
    return [this](std::chrono::milliseconds ms) {
      std::lock_guard lock(mu);
      waits.push_back(ms);
    };
  }
};

LeaseOptions Options(SleepRecorder* rec) {
  LeaseOptions o;
  o.tier = "files";
  o.ttl = 60s;
  o.settle = 7s;  // never really waited: the recorder stands in for sleeping
  o.sleep = rec->Fn();
  return o;
}

TEST(LeaseSettle, AConditionalCreateSpendsNoSettleWait) {
  SleepRecorder rec;
  auto store = std::make_shared<MemoryStore>();
  auto t0 = std::chrono::steady_clock::now();
  auto lease = RemoteLease::Acquire(store, NewRunIdentity(), Options(&rec));
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_TRUE(rec.waits.empty());
  EXPECT_EQ((*lease)->settle_waited(), 0ms);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
}

TEST(LeaseSettle, WithoutConditionalWritesTheLeaseWaitsOutSettleAndReadsBack) {
  SleepRecorder rec;
  auto store = std::make_shared<testing::ForwardingStore>(std::make_shared<MemoryStore>());
  store->conditional_put = false;
  auto lease = RemoteLease::Acquire(store, NewRunIdentity(), Options(&rec));
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  ASSERT_EQ(rec.waits.size(), 1u);
  EXPECT_EQ(rec.waits[0], 7s);
  EXPECT_EQ((*lease)->settle_waited(), 7s);
}

TEST(LeaseSettle, TakingOverAnExpiredLeaseWaitsEvenWithConditionalWrites) {
  SleepRecorder rec;
  auto store = std::make_shared<MemoryStore>();
  RunIdentity gone = NewRunIdentity();
  gone.host = "gone-host";
  LeaseRecord stale{gone, "files", 0, NowUnixNanos() - 1000000000};
  ASSERT_TRUE(PutString(*store, LeaseKey("files"), EncodeLease(stale)).ok());
  auto lease = RemoteLease::Acquire(store, NewRunIdentity(), Options(&rec));
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_EQ(rec.waits.size(), 1u) << "a remove-then-create can race: it must be confirmed";
}

// The loser of a read-back sees the winner's lease: a racer that wrote while we settled wins.
TEST(LeaseSettle, AWriterDuringTheSettleWaitWinsAndWeGetLockHeld) {
  auto inner = std::make_shared<MemoryStore>();
  auto store = std::make_shared<testing::ForwardingStore>(inner);
  store->conditional_put = false;
  LeaseOptions o;
  o.tier = "files";
  o.ttl = 60s;
  o.settle = 1s;
  RunIdentity rival = NewRunIdentity();
  rival.host = "other-host";
  o.sleep = [&](std::chrono::milliseconds) {
    LeaseRecord theirs{rival, "files", NowUnixNanos(), NowUnixNanos() + 60000000000LL};
    ASSERT_TRUE(PutString(*inner, LeaseKey("files"), EncodeLease(theirs)).ok());
  };
  auto lease = RemoteLease::Acquire(store, NewRunIdentity(), o);
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.status().kind(), ErrorKind::kLockHeld);
  EXPECT_NE(lease.status().message().find("other-host"), std::string::npos);
}

}  // namespace
}  // namespace dredge
