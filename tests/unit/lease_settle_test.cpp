// The lease step's timing: a conditional create spends no settle wait; a store without
// conditional writes and a takeover wait out `settle` and read back (ops/lease.h). `settle` is
// set far apart from what the step otherwise costs, so the clock tells which path ran.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "common/time_util.h"
#include "formats/ops_keys.h"
#include "ops/lease.h"
#include "store/memory/memory_store.h"
#include "unit/forwarding_store.h"

namespace dredge {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

LeaseOptions Options(std::chrono::milliseconds settle) {
  LeaseOptions o;
  o.tier = "files";
  o.ttl = 60s;
  o.settle = settle;
  return o;
}

TEST(LeaseSettle, AConditionalCreateSpendsNoSettleWait) {
  auto store = std::make_shared<MemoryStore>();
  auto t0 = Clock::now();
  auto lease = RemoteLease::Acquire(store, NewRunIdentity(), Options(60s));
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_LT(Clock::now() - t0, 5s) << "a settle wait of 60 s was spent";
}

TEST(LeaseSettle, WithoutConditionalWritesTheLeaseWaitsOutSettle) {
  auto store = std::make_shared<testing::ForwardingStore>(std::make_shared<MemoryStore>());
  store->conditional_put = false;
  auto t0 = Clock::now();
  auto lease = RemoteLease::Acquire(store, NewRunIdentity(), Options(400ms));
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_GE(Clock::now() - t0, 400ms);
}

TEST(LeaseSettle, TakingOverAnExpiredLeaseWaitsEvenWithConditionalWrites) {
  auto store = std::make_shared<MemoryStore>();
  RunIdentity gone = NewRunIdentity();
  gone.host = "gone-host";
  LeaseRecord stale{gone, "files", 0, NowUnixNanos() - 1000000000};
  ASSERT_TRUE(PutString(*store, ops_keys::LeaseKey("files"), EncodeLease(stale)).ok());
  auto t0 = Clock::now();
  auto lease = RemoteLease::Acquire(store, NewRunIdentity(), Options(400ms));
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  EXPECT_GE(Clock::now() - t0, 400ms) << "a remove-then-create can race: it must be confirmed";
}

}  // namespace
}  // namespace dredge
