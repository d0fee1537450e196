// Retention extension (ops/retention_extend.h) in-process on the locked MemoryStore: what is
// due is extended and recorded, what is not due costs no request, unknown dates are looked up
// once, and a refusal is named without stopping the others.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "ops/retention_extend.h"
#include "store/byte_io.h"
#include "store/memory/memory_store.h"
#include "store/object_versions.h"

namespace dredge {
namespace {

constexpr int64_t kNow = 4000000000;  // far enough ahead that MemoryStore's clock never reaches it

TEST(PlanExtension, UnknownIsLookedUpAndAnythingLockedLessThanTheRetainAheadIsExtended) {
  ObjectLockPolicy p{"GOVERNANCE", 100};
  EXPECT_EQ(PlanExtension(0, kNow, p), ExtendAction::kLookUp);
  EXPECT_EQ(PlanExtension(kNow + 49, kNow, p), ExtendAction::kExtend);
  EXPECT_EQ(PlanExtension(kNow - 5, kNow, p), ExtendAction::kExtend);
  EXPECT_EQ(PlanExtension(kNow + 99, kNow, p), ExtendAction::kExtend);
  EXPECT_EQ(PlanExtension(kNow + 100, kNow, p), ExtendAction::kNone);
  EXPECT_EQ(PlanExtension(kNow + 500, kNow, p), ExtendAction::kNone);
  // An extension sets 1.5 retains ahead, so the version is not due again for half a retain.
  EXPECT_EQ(ExtendedUntil(kNow, p), kNow + 150);
  EXPECT_EQ(PlanExtension(ExtendedUntil(kNow, p), kNow + 50, p), ExtendAction::kNone);
  EXPECT_EQ(PlanExtension(ExtendedUntil(kNow, p), kNow + 51, p), ExtendAction::kExtend);
}

class ExtendTest : public ::testing::Test {
 protected:
  std::string Put(const std::string& key, int64_t until) {
    PutOptions o;
    o.retention = Retention{"GOVERNANCE", until};
    auto r = PutString(store_, key, "bytes of " + key, o);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->version_id : "";
  }
  int64_t Until(const std::string& key, const std::string& id) {
    auto info = StatVersion(store_, key, id);
    EXPECT_TRUE(info.ok());
    return info.ok() ? info->lock_retain_until : -1;
  }
  ExtendSummary Run(const std::vector<RetainedVersion>& refs) {
    auto r = ExtendRetentions(
        store_, policy_, kNow,
        [&](const RetainedVersionFn& fn) {
          for (const auto& v : refs) DREDGE_RETURN_IF_ERROR(fn(v));
          return Status::Ok();
        },
        [&](const RetainedVersion& v, int64_t until) {
          known_[v.key] = until;
          return Status::Ok();
        });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : ExtendSummary{};
  }
  MemoryStore store_{"extend", MemoryStoreOptions{true, true}};
  ObjectLockPolicy policy_{"GOVERNANCE", 1000};
  std::map<std::string, int64_t> known_;
};

TEST_F(ExtendTest, DueVersionsAreExtendedOthersCostNothingUnknownAreLookedUpOnce) {
  std::string due = Put("due", kNow + 10);
  std::string fresh = Put("fresh", kNow + 1200);
  std::string unknown_due = Put("unknown-due", kNow + 100);
  std::string unknown_fresh = Put("unknown-fresh", kNow + 1100);
  auto s = Run({{"due", due, kNow + 10},
                {"fresh", fresh, kNow + 1200},
                {"unknown-due", unknown_due, 0},
                {"unknown-fresh", unknown_fresh, 0}});
  EXPECT_EQ(s.objects, 4u);
  EXPECT_EQ(s.looked_up, 2u);
  EXPECT_EQ(s.extended, 2u);
  EXPECT_EQ(s.requests, 4u);
  EXPECT_EQ(s.failed, 0u);
  EXPECT_EQ(Until("due", due), kNow + 1500);
  EXPECT_EQ(Until("unknown-due", unknown_due), kNow + 1500);
  EXPECT_EQ(Until("fresh", fresh), kNow + 1200);  // never touched
  EXPECT_EQ(Until("unknown-fresh", unknown_fresh), kNow + 1100);
  EXPECT_EQ(known_["due"], kNow + 1500);
  EXPECT_EQ(known_["unknown-fresh"], kNow + 1100);
  // With the dates recorded, the next run sends nothing.
  auto again = Run({{"due", due, known_["due"]},
                    {"fresh", fresh, kNow + 1200},
                    {"unknown-due", unknown_due, known_["unknown-due"]},
                    {"unknown-fresh", unknown_fresh, known_["unknown-fresh"]}});
  EXPECT_EQ(again.requests, 0u);
}

TEST_F(ExtendTest, AVersionThatCannotBeExtendedIsNamedAndTheOthersStillAre) {
  std::string ok = Put("ok", kNow + 10);
  auto s = Run({{"gone", "no-such-version", kNow + 10}, {"ok", ok, kNow + 10}});
  EXPECT_EQ(s.failed, 1u);
  EXPECT_EQ(s.extended, 1u);
  ASSERT_EQ(s.problems.size(), 1u);
  EXPECT_NE(s.problems[0].find("gone"), std::string::npos) << s.problems[0];
  EXPECT_NE(s.problems[0].find("no-such-version"), std::string::npos) << s.problems[0];
  EXPECT_EQ(Until("ok", ok), kNow + 1500);
}

// More versions than one batch: the requests run on worker threads, but every date is
// reported on the caller's thread, once per version, in the order the versions were given.
TEST_F(ExtendTest, ManyVersionsAreExtendedInBatchesAndReportedInOrderOnTheCallersThread) {
  constexpr int kVersions = 1300;
  std::vector<RetainedVersion> refs;
  for (int i = 0; i < kVersions; ++i) {
    std::string key = "k" + std::to_string(i);
    // Every third date is unknown (looked up), every fifth is far enough ahead (not due).
    int64_t until = i % 5 == 0 ? kNow + 1200 : kNow + 10;
    std::string id = Put(key, until);
    refs.push_back({key, id, i % 3 == 0 ? 0 : until});
  }
  const auto caller = std::this_thread::get_id();
  std::vector<std::string> order;
  bool same_thread = true;
  auto r = ExtendRetentions(
      store_, policy_, kNow,
      [&](const RetainedVersionFn& fn) {
        for (const auto& v : refs) DREDGE_RETURN_IF_ERROR(fn(v));
        return Status::Ok();
      },
      [&](const RetainedVersion& v, int64_t) {
        same_thread = same_thread && std::this_thread::get_id() == caller;
        order.push_back(v.key);
        return Status::Ok();
      });
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(same_thread);
  uint64_t looked_up = 0, extended = 0;
  std::vector<std::string> expected;  // versions whose date is learnt or set, in order
  for (int i = 0; i < kVersions; ++i) {
    const bool unknown = i % 3 == 0, due = i % 5 != 0;
    looked_up += unknown;
    extended += due;
    if (unknown || due) expected.push_back(refs[i].key);
    EXPECT_EQ(Until(refs[i].key, refs[i].version_id), due ? kNow + 1500 : kNow + 1200) << i;
  }
  EXPECT_EQ(order, expected);
  EXPECT_EQ(r->objects, static_cast<uint64_t>(kVersions));
  EXPECT_EQ(r->looked_up, looked_up);
  EXPECT_EQ(r->extended, extended);
  EXPECT_EQ(r->requests, looked_up + extended);
  EXPECT_EQ(r->failed, 0u);
}

}  // namespace
}  // namespace dredge
