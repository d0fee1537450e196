// Time parsing and formatting shared by every command.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace dredge {

// Parses ISO 8601 as users type it: "2025-05-27", "2025-05-27T00:12:34", "2025-05-27 00:12:34",
// optional fraction ".123456", optional "Z" or "+02:00"/"-0530". Without a zone the time is
// local. A date alone means its start (00:00:00). Returns nanoseconds since the Unix epoch, or
// Usage naming the text and the accepted forms.
Result<int64_t> ParseIsoTime(std::string_view text);

// Parses a duration like "90s", "45m", "26h", "7d", "2w" into seconds; Usage on anything else.
Result<int64_t> ParseDuration(std::string_view text);

// "20250527_001234" in UTC (object names).
std::string FormatCompactUtc(int64_t unix_seconds);
// "2025-05-27T00:12:34Z" in UTC (records, messages). With nanos: "2025-05-27T00:12:34.123456789Z".
std::string FormatIsoUtc(int64_t unix_seconds);
std::string FormatIsoUtcNanos(int64_t unix_nanos);
// Parses "20250527_001234" (UTC) back to seconds.
Result<int64_t> ParseCompactUtc(std::string_view text);

int64_t NowUnixNanos();

// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12, day 1-31; any year).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

}  // namespace dredge
