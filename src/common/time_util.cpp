#include "common/time_util.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>

namespace dredge {
namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

bool ValidDate(int y, int m, int d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

}  // namespace

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

namespace {

// The parts of an ISO 8601 time as read so far; `p` is where reading stopped.
struct IsoParts {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  int64_t frac_ns = 0;
  size_t p = 0;
};

// "[.,]digits" at parts->p: the fraction of a second (nanoseconds; further digits are read and
// dropped). False when the separator has no digit after it.
bool ReadFraction(std::string_view s, IsoParts* t) {
  if (t->p >= s.size() || (s[t->p] != '.' && s[t->p] != ',')) return true;
  const size_t start = ++t->p;
  for (int64_t scale = 100000000; t->p < s.size() && s[t->p] >= '0' && s[t->p] <= '9'; ++t->p) {
    if (scale > 0) t->frac_ns += (s[t->p] - '0') * scale;
    scale /= 10;
  }
  return t->p != start;
}

// "YYYY-MM-DD" and, after 'T' or ' ', "hh:mm[:ss[.fff]]".
bool ReadDateAndClock(std::string_view s, IsoParts* t) {
  if (!Digits(s, 0, 4, &t->y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &t->mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &t->d) || !ValidDate(t->y, t->mo, t->d))
    return false;
  t->p = 10;
  if (t->p >= s.size() || (s[t->p] != 'T' && s[t->p] != ' ')) return true;
  const size_t p = t->p;
  if (!Digits(s, p + 1, 2, &t->h) || s.size() < p + 6 || s[p + 3] != ':' ||
      !Digits(s, p + 4, 2, &t->mi))
    return false;
  t->p += 6;
  if (t->p < s.size() && s[t->p] == ':') {
    if (!Digits(s, t->p + 1, 2, &t->se)) return false;
    t->p += 3;
    if (!ReadFraction(s, t)) return false;
  }
  return t->h <= 23 && t->mi <= 59 && t->se <= 60;
}

// The zone after the clock: none (local time, through mktime), "Z", or ±hh[[:]mm]. Seconds
// since the epoch, or nullopt when the rest is not a zone.
std::optional<int64_t> ApplyZone(std::string_view s, const IsoParts& t) {
  const int64_t as_utc = DaysFromCivil(t.y, t.mo, t.d) * 86400 + t.h * 3600 + t.mi * 60 + t.se;
  if (t.p == s.size()) {
    std::tm tm{};
    tm.tm_year = t.y - 1900;
    tm.tm_mon = t.mo - 1;
    tm.tm_mday = t.d;
    tm.tm_hour = t.h;
    tm.tm_min = t.mi;
    tm.tm_sec = t.se;
    tm.tm_isdst = -1;
    return static_cast<int64_t>(std::mktime(&tm));
  }
  if (s[t.p] == 'Z' && t.p + 1 == s.size()) return as_utc;
  if (s[t.p] != '+' && s[t.p] != '-') return std::nullopt;
  int oh, om = 0;
  std::string_view z = s.substr(t.p + 1);
  if (!Digits(z, 0, 2, &oh)) return std::nullopt;
  if (z.size() == 5 && z[2] == ':') {
    if (!Digits(z, 3, 2, &om)) return std::nullopt;
  } else if (z.size() == 4) {
    if (!Digits(z, 2, 2, &om)) return std::nullopt;
  } else if (z.size() != 2) {
    return std::nullopt;
  }
  return as_utc - (oh * 3600 + om * 60) * (s[t.p] == '+' ? 1 : -1);
}

}  // namespace

Result<int64_t> ParseIsoTime(std::string_view s) {
  auto bad = [&]() {
    return Status::Usage("cannot read time '" + std::string(s) +
                         "': use ISO 8601 such as 2025-05-27, 2025-05-27T00:12:34 or "
                         "2025-05-27T00:12:34Z (without a zone, local time)");
  };
  IsoParts t;
  if (!ReadDateAndClock(s, &t)) return bad();
  std::optional<int64_t> secs = ApplyZone(s, t);
  // Nanoseconds since the epoch fit int64 only from 1677 to 2262 (found by fuzzing: a year 2609
  // overflowed): refuse what cannot be represented instead of wrapping around.
  constexpr int64_t kMaxSecs = INT64_MAX / 1000000000 - 1;
  if (!secs || *secs > kMaxSecs || *secs < -kMaxSecs) return bad();
  return *secs * 1000000000 + t.frac_ns;
}

Result<int64_t> ParseDuration(std::string_view s) {
  auto bad = [&]() {
    return Status::Usage("cannot read duration '" + std::string(s) +
                         "': use a number and a unit, such as 90s, 45m, 26h, 7d or 2w");
  };
  if (s.size() < 2) return bad();
  int64_t n = 0;
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9' || n > 1000000000) return bad();
    n = n * 10 + (s[i] - '0');
  }
  switch (s.back()) {
    case 's':
      return n;
    case 'm':
      return n * 60;
    case 'h':
      return n * 3600;
    case 'd':
      return n * 86400;
    case 'w':
      return n * 7 * 86400;
    default:
      return bad();
  }
}

std::string FormatCompactUtc(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d_%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string FormatIsoUtc(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string FormatIsoUtcNanos(int64_t ns) {
  int64_t secs = ns / 1000000000, frac = ns % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    --secs;
  }
  std::string s = FormatIsoUtc(secs);
  char buf[16];
  std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(frac));
  return s.substr(0, s.size() - 1) + buf + "Z";
}

Result<int64_t> ParseCompactUtc(std::string_view s) {
  int y, mo, d, h, mi, se;
  if (s.size() != 15 || s[8] != '_' || !Digits(s, 0, 4, &y) || !Digits(s, 4, 2, &mo) ||
      !Digits(s, 6, 2, &d) || !Digits(s, 9, 2, &h) || !Digits(s, 11, 2, &mi) ||
      !Digits(s, 13, 2, &se) || !ValidDate(y, mo, d) || h > 23 || mi > 59 || se > 60)
    return Status::InvalidArgument("not a YYYYMMDD_HHMMSS time: '" + std::string(s) + "'");
  return DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

int64_t NowUnixNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace dredge
