// Retention rules (restic's semantics, UTC buckets): which restore points a prune keeps.
#include "engine/retention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/time_util.h"

namespace dredge {
namespace {

int64_t T(const char* iso) {
  auto t = ParseIsoTime(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return *t / 1000000000LL;
}

std::vector<std::string> KeptIds(const RetentionDecision& d) {
  std::vector<std::string> out;
  for (const auto& k : d.keep) out.push_back(k.id);
  return out;
}

std::vector<std::string> RemovedIds(const RetentionDecision& d) {
  std::vector<std::string> out;
  for (const auto& r : d.remove) out.push_back(r.id);
  return out;
}

TEST(Retention, RefusesAnEmptyOrNegativePolicy) {
  std::vector<RestorePoint> pts = {{"a", 1}, {"b", 2}};
  auto r = ApplyRetention(pts, RetentionPolicy{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().kind(), ErrorKind::kUsage);
  EXPECT_NE(r.status().message().find("give at least one --keep-* rule"), std::string::npos);
  RetentionPolicy neg;
  neg.keep_last = 2;
  neg.keep_daily = -1;
  EXPECT_EQ(ApplyRetention(pts, neg).status().kind(), ErrorKind::kUsage);
}

TEST(Retention, KeepLastKeepsTheNewestRegardlessOfInputOrder) {
  std::vector<RestorePoint> pts = {{"p3", 300}, {"p1", 100}, {"p5", 500}, {"p2", 200}, {"p4", 400}};
  RetentionPolicy p;
  p.keep_last = 2;
  auto r = ApplyRetention(pts, p);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(KeptIds(*r), (std::vector<std::string>{"p5", "p4"}));
  EXPECT_EQ(RemovedIds(*r), (std::vector<std::string>{"p3", "p2", "p1"}));
  EXPECT_EQ(r->keep[0].reasons, std::vector<std::string>{"last"});
}

TEST(Retention, KeepLastLargerThanTheListKeepsEverything) {
  RetentionPolicy p;
  p.keep_last = 10;
  auto r = ApplyRetention({{"a", 1}, {"b", 2}}, p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->keep.size(), 2u);
  EXPECT_TRUE(r->remove.empty());
}

TEST(Retention, DailyKeepsTheNewestOfEachDayAndSkipsDaysWithoutPoints) {
  std::vector<RestorePoint> pts = {
      {"d1-early", T("2025-05-01T01:00:00Z")},
      {"d1-late", T("2025-05-01T23:59:59Z")},
      {"d2-a", T("2025-05-02T08:00:00Z")},
      {"d2-b", T("2025-05-02T09:00:00Z")},
      // no point on May 3rd and 4th: they do not use up the budget
      {"d5", T("2025-05-05T00:00:00Z")},
  };
  RetentionPolicy p;
  p.keep_daily = 3;
  auto r = ApplyRetention(pts, p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(KeptIds(*r), (std::vector<std::string>{"d5", "d2-b", "d1-late"}));
  EXPECT_EQ(RemovedIds(*r), (std::vector<std::string>{"d2-a", "d1-early"}));
  p.keep_daily = 2;
  r = ApplyRetention(pts, p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(KeptIds(*r), (std::vector<std::string>{"d5", "d2-b"}));
}

TEST(Retention, DaysAreUtcDays) {
  // 23:30 and 00:30 UTC are different days even where local time puts them on one.
  std::vector<RestorePoint> pts = {{"late", T("2025-05-01T23:30:00Z")},
                                   {"early", T("2025-05-02T00:30:00Z")}};
  RetentionPolicy p;
  p.keep_daily = 2;
  auto r = ApplyRetention(pts, p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->keep.size(), 2u);
  EXPECT_EQ(UtcDayLabel(T("2025-05-01T23:30:00Z")), "2025-05-01");
  EXPECT_EQ(UtcDayLabel(T("1969-12-31T23:00:00Z")), "1969-12-31");  // before the epoch
}

TEST(Retention, IsoWeeksAcrossYearBoundaries) {
  // Known ISO 8601 weeks: 2024-12-30 (Mon) is 2025-W01; 2021-01-03 (Sun) is 2020-W53;
  // 2026-01-01 (Thu) is 2026-W01; 2025-05-27 (Tue) is 2025-W22.
  EXPECT_EQ(IsoWeekLabel(T("2024-12-30T12:00:00Z")), "2025-W01");
  EXPECT_EQ(IsoWeekLabel(T("2024-12-29T12:00:00Z")), "2024-W52");
  EXPECT_EQ(IsoWeekLabel(T("2021-01-03T12:00:00Z")), "2020-W53");
  EXPECT_EQ(IsoWeekLabel(T("2021-01-04T00:00:00Z")), "2021-W01");
  EXPECT_EQ(IsoWeekLabel(T("2026-01-01T00:00:00Z")), "2026-W01");
  EXPECT_EQ(IsoWeekLabel(T("2025-05-27T00:12:34Z")), "2025-W22");
  EXPECT_EQ(UtcMonthLabel(T("2025-05-27T00:12:34Z")), "2025-05");
}

TEST(Retention, WeeklyUsesIsoWeeksNotCalendarYears) {
  // Sunday 2024-12-29 and Monday 2024-12-30 are different ISO weeks; Monday 2024-12-30 and
  // Wednesday 2025-01-01 are the same ISO week (2025-W01).
  std::vector<RestorePoint> pts = {{"sun", T("2024-12-29T10:00:00Z")},
                                   {"mon", T("2024-12-30T10:00:00Z")},
                                   {"wed", T("2025-01-01T10:00:00Z")}};
  RetentionPolicy p;
  p.keep_weekly = 5;
  auto r = ApplyRetention(pts, p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(KeptIds(*r), (std::vector<std::string>{"wed", "sun"}));
  EXPECT_EQ(RemovedIds(*r), (std::vector<std::string>{"mon"}));
}

TEST(Retention, MonthlyKeepsTheNewestOfEachMonth) {
  std::vector<RestorePoint> pts = {{"jan-1", T("2025-01-01T00:00:00Z")},
                                   {"jan-31", T("2025-01-31T23:00:00Z")},
                                   {"feb", T("2025-02-10T00:00:00Z")},
                                   {"apr", T("2025-04-02T00:00:00Z")}};
  RetentionPolicy p;
  p.keep_monthly = 2;
  auto r = ApplyRetention(pts, p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(KeptIds(*r), (std::vector<std::string>{"apr", "feb"}));
  p.keep_monthly = 12;
  r = ApplyRetention(pts, p);
  EXPECT_EQ(KeptIds(*r), (std::vector<std::string>{"apr", "feb", "jan-31"}));
}

TEST(Retention, RulesAreUnitedAndReasonsNamed) {
  // Hourly points over 10 days: keep-last 3 + keep-daily 5 + keep-weekly 2 + keep-monthly 2.
  std::vector<RestorePoint> pts;
  int64_t start = T("2025-05-25T00:00:00Z");  // a Sunday
  for (int h = 0; h < 24 * 10; ++h) {
    char id[16];
    std::snprintf(id, sizeof id, "h%03d", h);
    pts.push_back({id, start + h * 3600});
  }
  RetentionPolicy p;
  p.keep_last = 3;
  p.keep_daily = 5;
  p.keep_weekly = 2;
  p.keep_monthly = 2;
  auto r = ApplyRetention(pts, p);
  ASSERT_TRUE(r.ok());
  std::map<std::string, std::vector<std::string>> reasons;
  for (const auto& k : r->keep) reasons[k.id] = k.reasons;
  // Newest point: every rule claims it.
  EXPECT_EQ(reasons["h239"], (std::vector<std::string>{"last", "daily", "weekly", "monthly"}));
  EXPECT_EQ(reasons["h238"], std::vector<std::string>{"last"});
  EXPECT_EQ(reasons["h237"], std::vector<std::string>{"last"});
  // Newest of the previous four days (June 2, 1, May 31, 30).
  EXPECT_EQ(reasons["h215"], std::vector<std::string>{"daily"});
  EXPECT_EQ(reasons["h191"], (std::vector<std::string>{"daily", "weekly"}));  // Sun June 1
  // May 31 23:00 is June's predecessor month's newest point.
  EXPECT_EQ(reasons["h167"], (std::vector<std::string>{"daily", "monthly"}));
  EXPECT_EQ(reasons["h143"], std::vector<std::string>{"daily"});
  EXPECT_EQ(r->keep.size(), 7u);
  EXPECT_EQ(r->keep.size() + r->remove.size(), pts.size());
  // Removed points are exactly the others.
  for (const auto& rm : r->remove) EXPECT_EQ(reasons.count(rm.id), 0u) << rm.id;
}

TEST(Retention, EqualTimesAreOrderedByIdAndDuplicatesRefused) {
  RetentionPolicy p;
  p.keep_last = 1;
  auto r = ApplyRetention({{"b", 5}, {"a", 5}}, p);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(KeptIds(*r), std::vector<std::string>{"b"});
  auto dup = ApplyRetention({{"a", 5}, {"a", 6}}, p);
  EXPECT_EQ(dup.status().kind(), ErrorKind::kInvalidArgument);
}

TEST(Retention, EveryAcceptedPolicyKeepsTheNewestPoint) {
  std::vector<RestorePoint> pts;
  for (int i = 0; i < 50; ++i) pts.push_back({"p" + std::to_string(i), 1700000000 + i * 40000});
  for (int rule = 0; rule < 4; ++rule) {
    RetentionPolicy p;
    (rule == 0   ? p.keep_last
     : rule == 1 ? p.keep_daily
     : rule == 2 ? p.keep_weekly
                 : p.keep_monthly) = 1;
    auto r = ApplyRetention(pts, p);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->keep.size(), 1u);
    EXPECT_EQ(r->keep[0].id, "p49");
  }
}

TEST(Retention, EmptyListIsFine) {
  RetentionPolicy p;
  p.keep_daily = 7;
  auto r = ApplyRetention({}, p);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->keep.empty());
  EXPECT_TRUE(r->remove.empty());
}

}  // namespace
}  // namespace dredge
