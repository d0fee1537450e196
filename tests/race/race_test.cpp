// Conditional writes are found out per server, and the run lease relies on them only there:
// on moto (If-None-Match honoured) the lease step spends no settle wait; on the SigV4-checking
// s3rver (which ignores If-None-Match, shared/ENVIRONMENT.md) it waits and reads back. Either
// way, two backups started at the same instant as from two hosts end with exactly one exit 5.
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "ops/lease.h"
#include "race/race_support.h"

namespace dredge::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class Race : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = Scratch();
    ASSERT_FALSE(dir_.empty());
    // The probe's answer is remembered under $XDG_CACHE_HOME/dredge: a fresh one per test.
    ASSERT_EQ(::setenv("XDG_CACHE_HOME", (dir_ + "/cache").c_str(), 1), 0);
    server_ = ServerNamed(GetParam());
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  bool HonoursIfNoneMatch() const { return GetParam() == "moto"; }

  std::string dir_;
  S3Server server_;
};

TEST_P(Race, ConditionalWritesAreProbedOnceAndRemembered) {
  auto store = OpenOn(server_, FreshPrefix("probe"));
  ASSERT_TRUE(store);
  EXPECT_EQ(store->capabilities().conditional_put, HonoursIfNoneMatch());
  std::vector<std::string> left;
  ASSERT_TRUE(store
                  ->List(".dredge/",
                         [&](const ObjectInfo& o) {
                           left.push_back(o.key);
                           return Status::Ok();
                         })
                  .ok());
  EXPECT_TRUE(left.empty()) << "the probe object must be removed: " << left.front();

  const std::string cache = dir_ + "/cache/dredge/s3-capabilities";
  ASSERT_TRUE(fs::exists(cache));
  std::vector<fs::path> files{fs::directory_iterator(cache), fs::directory_iterator()};
  ASSERT_EQ(files.size(), 1u);
  auto j = nlohmann::json::parse(SlurpFile(files[0].string()));
  EXPECT_EQ(j["conditional_put"], HonoursIfNoneMatch());
  EXPECT_EQ(j["bucket"], server_.bucket);

  // A second store on the same endpoint and bucket answers from the cache: no new probe
  // object is written (a store on another prefix would otherwise see one come and go).
  auto again = OpenOn(server_, FreshPrefix("probe2"));
  EXPECT_EQ(again->capabilities().conditional_put, HonoursIfNoneMatch());

  // What is reported holds (O3).
  PutOptions cond;
  cond.if_absent = true;
  ASSERT_TRUE(PutString(*store, "o3", "first", cond).ok());
  auto second = PutString(*store, "o3", "second", cond);
  if (HonoursIfNoneMatch())
    EXPECT_EQ(second.status().kind(), ErrorKind::kPreconditionFailed) << second.status().ToString();
  else
    EXPECT_TRUE(second.ok()) << "s3rver ignores If-None-Match; if it starts honouring it, the "
                                "probe must say so";
}

// The lease step alone, timed: `settle` is far longer than a lease's few requests, so the
// clock shows whether it was waited out.
TEST_P(Race, TheLeaseStepSpendsNoSettleWaitWhereConditionalWritesHold) {
  auto store = OpenOn(server_, FreshPrefix("lease"));
  ASSERT_TRUE(store);
  LeaseOptions o;
  o.tier = "files";
  o.ttl = 60s;
  o.settle = HonoursIfNoneMatch() ? 30s : 3s;
  (void)store->capabilities();  // the one-time probe is not part of the lease step
  auto t0 = std::chrono::steady_clock::now();
  auto lease = RemoteLease::Acquire(store, NewRunIdentity(), o);
  auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  if (HonoursIfNoneMatch())
    EXPECT_LT(took, 5s) << "moto honours If-None-Match: no settle wait may be spent";
  else
    EXPECT_GE(took, 3s) << "s3rver ignores If-None-Match: the lease must settle and read back";
  EXPECT_TRUE((*lease)->Release().ok());
}

TEST_P(Race, TwoBackupsStartedAtTheSameInstantEndWithExactlyOneExit5) {
  const std::string src = dir_ + "/src";
  fs::create_directories(src);
  {
    std::ofstream f(src + "/data.bin", std::ios::binary);
    std::string block(1 << 20, 'x');
    for (int i = 0; i < 3; ++i) f << block;  // 3 MB at 1 MB/s: the winner holds the lease ~3 s
  }
  std::ofstream(src + "/small.txt") << "hello\n";
  const std::string dest = "s3://" + server_.bucket + "/" + FreshPrefix("two-hosts");
  const std::string args = "backup files --source " + src + " --dest " + dest + " --bwlimit 1M";
  pid_t a = Spawn(DredgeCommand(server_, dir_ + "/host-a", args, dir_ + "/a"));
  pid_t b = Spawn(DredgeCommand(server_, dir_ + "/host-b", args, dir_ + "/b"));
  int code_a = Wait(a), code_b = Wait(b);
  std::string err_a = SlurpFile(dir_ + "/a.err"), err_b = SlurpFile(dir_ + "/b.err");
  std::vector<int> codes{code_a, code_b};
  std::sort(codes.begin(), codes.end());
  ASSERT_EQ(codes, (std::vector<int>{0, 5})) << "host a:\n" << err_a << "\nhost b:\n" << err_b;
  const std::string& loser = code_a == 5 ? err_a : err_b;
  const std::string& winner = code_a == 5 ? err_b : err_a;
  EXPECT_NE(loser.find("another dredge run holds the files lease"), std::string::npos) << loser;
  if (HonoursIfNoneMatch())
    EXPECT_NE(winner.find("with a conditional write (no settle wait)"), std::string::npos)
        << winner;
  else
    EXPECT_NE(winner.find("after a settle wait"), std::string::npos) << winner;
}

INSTANTIATE_TEST_SUITE_P(Servers, Race, ::testing::Values("moto", "s3rver"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace dredge::testing
