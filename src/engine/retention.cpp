#include "engine/retention.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>

namespace dredge {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

sys_days DayOf(int64_t time_s) {
  // Floor division: times before 1970 still fall into the right day.
  int64_t d = time_s / 86400;
  if (time_s % 86400 < 0) --d;
  return sys_days(days(d));
}

}  // namespace

std::string UtcDayLabel(int64_t time_s) {
  year_month_day ymd(DayOf(time_s));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string IsoWeekLabel(int64_t time_s) {
  // ISO 8601: a week belongs to the year that holds its Thursday; week 1 holds January 4th.
  sys_days d = DayOf(time_s);
  unsigned iso_wd = std::chrono::weekday(d).iso_encoding();  // Monday 1 … Sunday 7
  sys_days thursday = d + days(4 - static_cast<int>(iso_wd));
  std::chrono::year y = year_month_day(thursday).year();
  sys_days jan1 = sys_days(y / std::chrono::January / 1);
  int week = static_cast<int>((thursday - jan1).count() / 7) + 1;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-W%02d", static_cast<int>(y), week);
  return buf;
}

std::string UtcMonthLabel(int64_t time_s) {
  year_month_day ymd(DayOf(time_s));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()));
  return buf;
}

Status ValidateRetentionPolicy(const RetentionPolicy& p) {
  for (int v : {p.keep_last, p.keep_daily, p.keep_weekly, p.keep_monthly})
    if (v < 0) return Status::Usage("--keep-* values must be 0 or more, not " + std::to_string(v));
  if (p.keep_last + p.keep_daily + p.keep_weekly + p.keep_monthly == 0)
    return Status::Usage(
        "give at least one --keep-* rule (--keep-last, --keep-daily, --keep-weekly, "
        "--keep-monthly) of 1 or more: prune refuses to remove every restore point");
  return Status::Ok();
}

Result<RetentionDecision> ApplyRetention(std::vector<RestorePoint> points,
                                         const RetentionPolicy& policy) {
  DREDGE_RETURN_IF_ERROR(ValidateRetentionPolicy(policy));
  std::sort(points.begin(), points.end(), [](const RestorePoint& a, const RestorePoint& b) {
    return a.time_s != b.time_s ? a.time_s > b.time_s : a.id > b.id;
  });
  std::set<std::string> ids;
  for (const auto& p : points)
    if (!ids.insert(p.id).second)
      return Status::InvalidArgument("restore point '" + p.id +
                                     "' is listed twice; the listing is inconsistent");

  struct Rule {
    const char* name;
    int budget;
    std::string (*label)(int64_t);
    std::string last_label;
  };
  Rule rules[] = {{"daily", policy.keep_daily, &UtcDayLabel, ""},
                  {"weekly", policy.keep_weekly, &IsoWeekLabel, ""},
                  {"monthly", policy.keep_monthly, &UtcMonthLabel, ""}};
  RetentionDecision out;
  int last_budget = policy.keep_last;
  for (const auto& p : points) {
    std::vector<std::string> reasons;
    if (last_budget > 0) {
      --last_budget;
      reasons.push_back("last");
    }
    // Newest first: the first point seen in a bucket is that bucket's newest.
    for (auto& r : rules) {
      if (r.budget <= 0) continue;
      std::string label = r.label(p.time_s);
      if (label == r.last_label) continue;
      r.last_label = label;
      --r.budget;
      reasons.push_back(r.name);
    }
    if (reasons.empty()) {
      out.remove.push_back(p);
    } else {
      out.keep.push_back({p.id, p.time_s, std::move(reasons)});
    }
  }
  return out;
}

}  // namespace dredge
