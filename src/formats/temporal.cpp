#include "formats/temporal.h"

#include <limits>
#include <string>

#include "common/time_util.h"

namespace dredge {
namespace {

constexpr int64_t kMicrosPerDay = 86400LL * 1000000;

struct Parsed {
  int64_t key = 0;
  bool has_zone = false;
};

bool Num(std::string_view s, size_t* p, size_t min, size_t max, int64_t* out) {
  size_t start = *p;
  int64_t v = 0;
  while (*p < s.size() && *p - start < max && s[*p] >= '0' && s[*p] <= '9')
    v = v * 10 + (s[(*p)++] - '0');
  if (*p - start < min) return false;
  *out = v;
  return true;
}

// "hh:mm[:ss[.ffffff]]" at *p (after the date's ' ' or 'T'): seconds into the day and the
// microseconds (digits past the sixth are read and add nothing).
bool ParseClock(std::string_view s, size_t* p, int64_t* secs, int64_t* micros) {
  int64_t h = 0, mi = 0, se = 0;
  if (!Num(s, p, 2, 2, &h) || *p >= s.size() || s[(*p)++] != ':') return false;
  if (!Num(s, p, 2, 2, &mi)) return false;
  if (*p < s.size() && s[*p] == ':') {
    ++*p;
    if (!Num(s, p, 2, 2, &se)) return false;
    if (*p < s.size() && s[*p] == '.') {
      const size_t start = ++*p;
      for (int64_t scale = 100000; *p < s.size() && s[*p] >= '0' && s[*p] <= '9'; ++*p) {
        *micros += (s[*p] - '0') * scale;
        scale /= 10;
      }
      if (*p == start) return false;
    }
  }
  *secs = h * 3600 + mi * 60 + se;
  return true;
}

// "±hh[:mm[:ss]]", "±hhmm" or "Z" at *p: the offset in seconds east of UTC (0 for "Z");
// has_zone stays false when neither is there.
bool ParseZone(std::string_view s, size_t* p, int64_t* offset, bool* has_zone) {
  if (*p < s.size() && s[*p] == 'Z') {
    ++*p;
    *has_zone = true;
    return true;
  }
  if (*p >= s.size() || (s[*p] != '+' && s[*p] != '-')) return true;
  const int sign = s[(*p)++] == '+' ? 1 : -1;
  int64_t oh = 0, om = 0, os = 0;
  if (!Num(s, p, 2, 2, &oh)) return false;
  if (*p < s.size() && s[*p] == ':') {
    ++*p;
    if (!Num(s, p, 2, 2, &om)) return false;
    if (*p < s.size() && s[*p] == ':') {
      ++*p;
      if (!Num(s, p, 2, 2, &os)) return false;
    }
  } else if (*p + 2 <= s.size() && s[*p] >= '0' && s[*p] <= '9') {
    if (!Num(s, p, 2, 2, &om)) return false;
  }
  *offset = sign * (oh * 3600 + om * 60 + os);
  *has_zone = true;
  return true;
}

// Returns false when the text is not a date/timestamp. `apply_zone` subtracts the offset.
bool Parse(std::string_view s, bool apply_zone, Parsed* out) {
  if (s == "infinity" || s == "-infinity") {
    out->key =
        s[0] == '-' ? std::numeric_limits<int64_t>::min() : std::numeric_limits<int64_t>::max();
    return true;
  }
  const bool bc = s.size() > 3 && s.substr(s.size() - 3) == " BC";
  if (bc) s.remove_suffix(3);
  size_t p = 0;
  int64_t y, mo, d, clock = 0, micros = 0, offset = 0;
  if (!Num(s, &p, 4, 9, &y) || p >= s.size() || s[p++] != '-') return false;
  if (!Num(s, &p, 2, 2, &mo) || p >= s.size() || s[p++] != '-') return false;
  if (!Num(s, &p, 2, 2, &d)) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  if (p < s.size() && (s[p] == ' ' || s[p] == 'T')) {
    ++p;
    if (!ParseClock(s, &p, &clock, &micros)) return false;
  }
  if (!ParseZone(s, &p, &offset, &out->has_zone) || p != s.size()) return false;
  if (bc) y = 1 - y;
  int64_t secs =
      DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + clock;
  if (apply_zone) secs -= offset;
  out->key = secs * 1000000 + micros;
  return true;
}

}  // namespace

Result<int64_t> TemporalKey(Temporal kind, std::string_view text) {
  Parsed p;
  if (kind == Temporal::kNone || !Parse(text, kind == Temporal::kTimestampTz, &p))
    return Status::Corrupt("not a date/timestamp value: '" + std::string(text) + "'");
  return p.key;
}

Result<int64_t> UserTimeKey(Temporal kind, std::string_view text) {
  if (kind == Temporal::kTimestampTz) {
    if (text == "infinity" || text == "-infinity") return TemporalKey(kind, text);
    DREDGE_ASSIGN_OR_RETURN(int64_t ns, ParseIsoTime(text));
    // Floor division: times before 1970 are negative.
    return ns >= 0 ? ns / 1000 : -((-ns + 999) / 1000);
  }
  Parsed p;
  if (kind == Temporal::kNone || !Parse(text, false, &p))
    return Status::Usage("cannot read time '" + std::string(text) +
                         "': use ISO 8601 such as 2025-05-27 or 2025-05-27T00:12:34");
  if (kind == Temporal::kDate && p.key != std::numeric_limits<int64_t>::max() &&
      p.key != std::numeric_limits<int64_t>::min()) {
    int64_t k = p.key;
    int64_t day = k >= 0 ? k / kMicrosPerDay : -((-k + kMicrosPerDay - 1) / kMicrosPerDay);
    return day * kMicrosPerDay;
  }
  return p.key;
}

}  // namespace dredge
