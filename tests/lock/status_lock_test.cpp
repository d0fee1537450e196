// status and check on moto's Object Lock bucket (docs/object-lock.md "status and check"): they
// show the lock mode and the earliest retain-until among the newest restore point's objects,
// status warns when that date is within --max-age (the backup interval) and when the point is
// no longer locked, and neither changes its exit code for it.
#include <chrono>
#include <ctime>
#include <optional>
#include <thread>

#include "common/time_util.h"
#include "lock/lock_support.h"

namespace dredge {
namespace {

using testing::Quote;

int64_t Now() {
  return static_cast<int64_t>(std::time(nullptr));
}

class StatusLock : public testing::LockE2E {
 protected:
  testing::E2ERun Backup(const std::string& retain) {
    return Dredge("backup files --source " + Quote(src_) + Common() + " --state " +
                  Quote(dir_ + "/state.sqlite") + " --json --object-lock-mode COMPLIANCE" +
                  " --object-lock-retain " + retain);
  }
  testing::E2ERun Status(const std::string& extra = "") {
    return Dredge("status --tier files" + Common() + " --json" + extra);
  }
};

TEST_P(StatusLock, ShowsTheEarliestRetainUntilAndWarnsWithinTheInterval) {
  testing::Spit(src_ + "/a.txt", "alpha");
  testing::Spit(src_ + "/b.txt", "beta");
  const int64_t start = Now();
  EXPECT_RUN(Backup("1h"), 0);
  const int64_t end = Now();

  auto st = Status(" --object-lock-mode COMPLIANCE --object-lock-retain 1h");
  EXPECT_RUN(st, 0);
  ASSERT_TRUE(st.j.is_object()) << st.out;
  const auto& lock = st.j["destinations"][0]["object_lock"];
  EXPECT_EQ(lock["configured"]["mode"], "COMPLIANCE") << st.out;
  ASSERT_EQ(lock["points"].size(), 1u) << st.out;
  const auto& p = lock["points"][0];
  EXPECT_EQ(p["tier"], "files");
  EXPECT_EQ(p["mode"], "COMPLIANCE");
  EXPECT_EQ(p["unlocked"], false);
  EXPECT_EQ(p["objects"], 3);  // a.txt, b.txt, the snapshot
  auto until_ns = ParseIsoTime(p["earliest_retain_until"].get<std::string>());
  ASSERT_TRUE(until_ns.ok()) << st.out;
  auto until = std::optional<int64_t>(*until_ns / 1000000000);
  EXPECT_GE(*until, start + 3600);
  EXPECT_LE(*until, end + 3601);
  EXPECT_TRUE(lock["warnings"].empty()) << st.out;

  // A backup interval longer than the lock: warned, not failed.
  auto warn = Status(" --max-age 2h");
  EXPECT_RUN(warn, 0);
  EXPECT_EQ(warn.j["destinations"][0]["object_lock"]["warnings"].size(), 1u) << warn.out;
  EXPECT_NE(warn.err.find("within the backup interval"), std::string::npos) << warn.err;

  // Human output and check name the lock too.
  auto human = Dredge("status --tier files" + Common());
  EXPECT_RUN(human, 0);
  EXPECT_NE(human.out.find("locked until " + FormatIsoUtc(*until)), std::string::npos) << human.out;
  auto check = Dredge("check" + Common());
  EXPECT_NE(check.out.find("lock"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("files: snapshot_"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("locked until " + FormatIsoUtc(*until)), std::string::npos) << check.out;
}

TEST_P(StatusLock, AnExpiredLockIsReportedUnlocked) {
  testing::Spit(src_ + "/a.txt", "brief");
  EXPECT_RUN(Backup("2s"), 0);
  const int64_t written = Now();
  while (Now() <= written + 3) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto st = Status();
  EXPECT_RUN(st, 0);
  const auto& p = st.j["destinations"][0]["object_lock"]["points"][0];
  EXPECT_EQ(p["unlocked"], true) << st.out;
  EXPECT_NE(st.err.find("without an Object Lock retention"), std::string::npos) << st.err;
}

INSTANTIATE_TEST_SUITE_P(Moto, StatusLock, ::testing::Values("moto"));

}  // namespace
}  // namespace dredge
