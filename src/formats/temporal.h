// Comparable keys for date/timestamp values, for zone maps and --since/--until. A key is
// microseconds since 1970-01-01 00:00: wall-clock time for `date` and `timestamp` (no zone),
// UTC for `timestamptz`. "infinity"/"-infinity" map to the extremes.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "formats/column_codec.h"

namespace dredge {

// Parses a value as PostgreSQL prints it with DateStyle=ISO ("2025-05-27", "2025-05-27
// 00:07:50.123456", "...+00", "... BC", "infinity"); also accepts 'T' between date and time.
// Corrupt naming the text when it is none of these.
Result<int64_t> TemporalKey(Temporal kind, std::string_view text);

// A user's --since/--until TIME as the column's type would read it: for timestamptz an ISO
// time (local when it names no zone, as everywhere in dredge); for timestamp the wall-clock
// fields (a zone is ignored, as PostgreSQL's cast does); for date the day. Usage on bad text.
Result<int64_t> UserTimeKey(Temporal kind, std::string_view text);

}  // namespace dredge
