#include "common/time_util.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>

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

Result<int64_t> ParseIsoTime(std::string_view s) {
  auto bad = [&]() {
    return Status::Usage("cannot read time '" + std::string(s) +
                         "': use ISO 8601 such as 2025-05-27, 2025-05-27T00:12:34 or "
                         "2025-05-27T00:12:34Z (without a zone, local time)");
  };
  int y, mo, d, h = 0, mi = 0, se = 0;
  if (!Digits(s, 0, 4, &y) || s.size() < 10 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || !ValidDate(y, mo, d))
    return bad();
  size_t p = 10;
  int64_t frac_ns = 0;
  if (p < s.size() && (s[p] == 'T' || s[p] == ' ')) {
    if (!Digits(s, p + 1, 2, &h) || s.size() < p + 6 || s[p + 3] != ':' ||
        !Digits(s, p + 4, 2, &mi))
      return bad();
    p += 6;
    if (p < s.size() && s[p] == ':') {
      if (!Digits(s, p + 1, 2, &se)) return bad();
      p += 3;
      if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
        ++p;
        int64_t scale = 100000000;
        size_t start = p;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
          if (scale > 0) frac_ns += (s[p] - '0') * scale;
          scale /= 10;
          ++p;
        }
        if (p == start) return bad();
      }
    }
    if (h > 23 || mi > 59 || se > 60) return bad();
  }
  int64_t local_secs = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
  int64_t secs;
  if (p == s.size()) {
    std::tm tm{};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    tm.tm_isdst = -1;
    secs = static_cast<int64_t>(std::mktime(&tm));
  } else if (s[p] == 'Z' && p + 1 == s.size()) {
    secs = local_secs;
  } else if (s[p] == '+' || s[p] == '-') {
    int oh, om = 0;
    std::string_view z = s.substr(p + 1);
    if (!Digits(z, 0, 2, &oh)) return bad();
    if (z.size() == 5 && z[2] == ':') {
      if (!Digits(z, 3, 2, &om)) return bad();
    } else if (z.size() == 4) {
      if (!Digits(z, 2, 2, &om)) return bad();
    } else if (z.size() != 2) {
      return bad();
    }
    int64_t off = (oh * 3600 + om * 60) * (s[p] == '+' ? 1 : -1);
    secs = local_secs - off;
  } else {
    return bad();
  }
  // Nanoseconds since the epoch fit int64 only from 1677 to 2262 (found by fuzzing: a year 2609
  // overflowed): refuse what cannot be represented instead of wrapping around.
  constexpr int64_t kMaxSecs = INT64_MAX / 1000000000 - 1;
  if (secs > kMaxSecs || secs < -kMaxSecs) return bad();
  return secs * 1000000000 + frac_ns;
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
