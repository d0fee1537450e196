// Rate limits and priorities. Timing bounds are generous for a busy 2-core machine: a transfer
// under a limit must take at least 90 % of the time the limit implies (a lower bound cannot be
// met by luck), and well under 10x of it (so a limiter that stalls fails too).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "ops/limits.h"
#include "store/memory/memory_store.h"
#include "store/wrap/limit_store.h"
#include "unit/forwarding_store.h"

namespace dredge {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

void ExpectPaced(double took, double implied, const char* what) {
  std::printf("[ measured ] %s: %.3f s, limit implies %.3f s (%.0f %%)\n", what, took, implied,
              100 * took / implied);
  EXPECT_GE(took, 0.9 * implied) << what << " ran faster than its limit";
  EXPECT_LT(took, 10 * implied) << what << " stalled";
}

TEST(Limits, PutBodiesAreHeldToTheBandwidthLimit) {
  constexpr uint64_t kRate = 8u << 20;    // 8 MiB/s
  const std::string body(2u << 20, 'x');  // 2 MiB → 0.25 s
  auto inner = std::make_shared<MemoryStore>();
  auto store = WrapWithLimits(inner, std::make_shared<Limiter>(kRate, 0));
  auto t0 = Clock::now();
  auto put = PutString(*store, "big", body);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  ExpectPaced(Seconds(t0), static_cast<double>(body.size()) / kRate, "put 2 MiB at 8 MiB/s");
  EXPECT_EQ(*GetString(*inner, "big"), body);
}

TEST(Limits, GetBodiesAreHeldToTheBandwidthLimit) {
  constexpr uint64_t kRate = 8u << 20;
  const std::string body(2u << 20, 'y');
  auto inner = std::make_shared<MemoryStore>();
  ASSERT_TRUE(PutString(*inner, "big", body).ok());
  auto store = WrapWithLimits(inner, std::make_shared<Limiter>(kRate, 0));
  auto t0 = Clock::now();
  auto got = GetString(*store, "big");
  ASSERT_TRUE(got.ok());
  ExpectPaced(Seconds(t0), static_cast<double>(body.size()) / kRate, "get 2 MiB at 8 MiB/s");
  EXPECT_EQ(*got, body);
}

TEST(Limits, TheLimitIsSharedByAllWorkersAndBothDirections) {
  constexpr uint64_t kRate = 8u << 20;
  const std::string body(512u << 10, 'z');
  auto inner = std::make_shared<MemoryStore>();
  ASSERT_TRUE(PutString(*inner, "down", body).ok());
  auto store = WrapWithLimits(inner, std::make_shared<Limiter>(kRate, 0));
  auto t0 = Clock::now();
  std::vector<std::thread> workers;
  for (int i = 0; i < 3; ++i)
    workers.emplace_back(
        [&, i] { EXPECT_TRUE(PutString(*store, "up" + std::to_string(i), body).ok()); });
  workers.emplace_back([&] { EXPECT_EQ(*GetString(*store, "down"), body); });
  for (auto& w : workers) w.join();
  // 4 × 512 KiB in total, whatever the direction: 0.25 s.
  ExpectPaced(Seconds(t0), 4.0 * body.size() / kRate, "3 puts + 1 get in parallel");
}

TEST(Limits, RequestsAreHeldToTheTpsLimit) {
  auto inner = std::make_shared<MemoryStore>();
  ASSERT_TRUE(PutString(*inner, "k", "v").ok());
  auto store = WrapWithLimits(inner, std::make_shared<Limiter>(0, 20));
  auto t0 = Clock::now();
  for (int i = 0; i < 21; ++i) ASSERT_TRUE(store->Stat("k").ok());
  // The first request is free, the other 20 cost 1/20 s each.
  ExpectPaced(Seconds(t0), 1.0, "21 requests at 20/s");
}

TEST(Limits, ListPaysOneRequestPerPage) {
  auto inner = std::make_shared<MemoryStore>();
  for (int i = 0; i < 3000; ++i) ASSERT_TRUE(PutString(*inner, "o/" + std::to_string(i), "").ok());
  auto store = WrapWithLimits(inner, std::make_shared<Limiter>(0, 10));
  ASSERT_TRUE(store->Stat("o/1").ok());  // spends the initial token
  auto t0 = Clock::now();
  int n = 0;
  ASSERT_TRUE(store
                  ->List("o/",
                         [&](const ObjectInfo&) {
                           ++n;
                           return Status::Ok();
                         })
                  .ok());
  EXPECT_EQ(n, 3000);
  ExpectPaced(Seconds(t0), 0.4, "list of 3 pages at 10 requests/s");  // 1 + 3 requests
}

// A driver that hashes the body in one pass and uploads it in another.
class TwoPassStore : public testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Result<PutResult> Put(std::string_view key, const ByteSource& src,
                        const PutOptions& opts) override {
    DREDGE_ASSIGN_OR_RETURN(std::string md5, Md5HexOfSource(src));
    PutOptions o = opts;
    o.content_md5_hex = md5;
    return ForwardingStore::Put(key, src, o);
  }
};

TEST(Limits, BytesReadTwiceByADriverArePaidOnce) {
  const std::string body(1u << 20, 'w');
  MemorySource src(body);
  auto inner = std::make_shared<TwoPassStore>(std::make_shared<MemoryStore>());
  LimitStore store(inner, std::make_shared<Limiter>(4u << 20, 0));  // 1 MiB at 4 MiB/s: 0.25 s
  auto t0 = Clock::now();
  ASSERT_TRUE(store.Put("k", src, PutOptions{}).ok());
  double took = Seconds(t0);
  ExpectPaced(took, 0.25, "put 1 MiB at 4 MiB/s through a two-pass driver");
  EXPECT_LT(took, 0.45) << "bytes were charged more than once";
}

TEST(Limits, UnlimitedWrapsNothing) {
  auto inner = std::make_shared<MemoryStore>();
  EXPECT_EQ(WrapWithLimits(inner, nullptr), inner);
  EXPECT_EQ(WrapWithLimits(inner, std::make_shared<Limiter>(0, 0)), inner);
  EXPECT_EQ(MakeLimiter(LimitsConfig{}), nullptr);
  LimitsConfig c;
  c.bwlimit = 1;
  EXPECT_NE(MakeLimiter(c), nullptr);
}

TEST(Limits, FlagsParseIntoOverrides) {
  CLI::App app;
  ConfigOverrides o;
  AddLimitFlags(app, &o);
  app.parse(std::vector<std::string>{"--no-nice", "5", "--tpslimit", "20M", "--bwlimit"});
  ASSERT_TRUE(o.bwlimit);
  EXPECT_EQ(*o.bwlimit, 20u << 20);
  EXPECT_DOUBLE_EQ(*o.tpslimit, 5);
  ASSERT_TRUE(o.nice);
  EXPECT_FALSE(*o.nice);

  CLI::App bad;
  ConfigOverrides b;
  AddLimitFlags(bad, &b);
  try {
    bad.parse(std::vector<std::string>{"20Q", "--bwlimit"});
    ADD_FAILURE() << "--bwlimit 20Q parsed";
  } catch (const CLI::ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("--bwlimit"), std::string::npos) << e.what();
  }
}

TEST(Nice, OnByDefaultOnlyWithoutATerminal) {
  EXPECT_TRUE(ShouldNice(LimitsConfig::Nice::kAuto, false));
  EXPECT_FALSE(ShouldNice(LimitsConfig::Nice::kAuto, true));
  EXPECT_TRUE(ShouldNice(LimitsConfig::Nice::kOn, true));
  EXPECT_FALSE(ShouldNice(LimitsConfig::Nice::kOff, false));
}

TEST(Nice, LowersCpuAndIoPriority) {
  // In a child: nice cannot be undone without privileges, and the test process must not slow.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!ApplyNice().ok()) ::_exit(2);
    errno = 0;
    if (::getpriority(PRIO_PROCESS, 0) < 10) ::_exit(3);
    long io = ::syscall(SYS_ioprio_get, 1, 0);
    if (io != ((2 << 13) | 7)) ::_exit(4);
    // A thread started afterwards inherits both.
    int code = 0;
    std::thread t([&] {
      if (::getpriority(PRIO_PROCESS, 0) < 10) code = 5;
      if (::syscall(SYS_ioprio_get, 1, 0) != ((2 << 13) | 7)) code = 6;
    });
    t.join();
    ::_exit(code);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: ApplyNice failed, 3: CPU nice, 4: I/O priority, "
                                       "5/6: not inherited by a new thread";
}

}  // namespace
}  // namespace dredge
