#include "common/time_util.h"

#include <gtest/gtest.h>

#include <atomic>

#include "common/thread_pool.h"

namespace dredge {
namespace {

TEST(TimeUtil, ParsesIsoForms) {
  EXPECT_EQ(*ParseIsoTime("2025-05-27T00:12:34Z"), 1748304754LL * 1000000000);
  EXPECT_EQ(*ParseIsoTime("2025-05-27T02:12:34+02:00"), 1748304754LL * 1000000000);
  EXPECT_EQ(*ParseIsoTime("2025-05-27T00:12:34.5Z"), 1748304754LL * 1000000000 + 500000000);
  EXPECT_TRUE(ParseIsoTime("2025-05-27").ok());
  EXPECT_TRUE(ParseIsoTime("2025-05-27 00:07:50.123456").ok());
}

TEST(TimeUtil, RejectsNonsenseWithUsage) {
  for (const char* bad : {"", "yesterday", "2025-13-01", "2025-02-30", "2025-05-27T25:00",
                          "2025-05-27T00:00:00Q"}) {
    auto r = ParseIsoTime(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().kind(), ErrorKind::kUsage) << bad;
  }
}

TEST(TimeUtil, CompactRoundTrip) {
  EXPECT_EQ(FormatCompactUtc(1748304754), "20250527_001234");
  EXPECT_EQ(*ParseCompactUtc("20250527_001234"), 1748304754);
  EXPECT_EQ(FormatIsoUtc(1748304754), "2025-05-27T00:12:34Z");
}

TEST(TimeUtil, Durations) {
  EXPECT_EQ(*ParseDuration("90s"), 90);
  EXPECT_EQ(*ParseDuration("45m"), 2700);
  EXPECT_EQ(*ParseDuration("26h"), 93600);
  EXPECT_EQ(*ParseDuration("7d"), 604800);
  EXPECT_FALSE(ParseDuration("7").ok());
  EXPECT_FALSE(ParseDuration("d").ok());
  EXPECT_FALSE(ParseDuration("7y").ok());
}

TEST(ThreadPool, RunsEveryTaskWithBoundedQueue) {
  std::atomic<int> sum{0};
  {
    ThreadPool pool(3, 2);
    for (int i = 1; i <= 100; ++i) pool.Submit([&, i] { sum += i; });
    pool.Wait();
    EXPECT_EQ(sum.load(), 5050);
  }
}

}  // namespace
}  // namespace dredge
