// How one column's values travel between PostgreSQL's COPY text and chunk JSON
// (docs/formats/chunk.md, "Values"). The codec depends only on the column's type text as
// format_type prints it, so a chunk needs nothing outside itself to be decoded.
#pragma once

#include <string>
#include <string_view>

namespace dredge {

enum class Codec {
  kInt,     // smallint, integer, oid: JSON number
  kInt8,    // bigint: number below 2^53, else decimal string
  kFloat,   // real, double precision: number, or "NaN"/"Infinity"/"-Infinity"
  kBool,    // boolean: true/false
  kString,  // everything else: the text as a JSON string
};

// Date/time kinds that get zone maps (min/max per chunk) and --since/--until filters.
enum class Temporal { kNone, kDate, kTimestamp, kTimestampTz };

struct ColumnSpec {
  std::string name;
  std::string type;  // format_type text
  Codec codec = Codec::kString;
  Temporal temporal = Temporal::kNone;
};

Codec CodecForType(std::string_view type);
Temporal TemporalForType(std::string_view type);
ColumnSpec MakeColumn(std::string name, std::string type);
bool IsIntegerCodec(Codec c);

// The first byte in [p, end) that a JSON string cannot hold raw (a byte below 0x20, '"' or
// '\\'), or `end`. Fast on long runs of plain text.
const char* FindJsonSpecial(const char* p, const char* end);

// Appends `raw` as a JSON string literal (quotes included): escapes ", \ and U+0000-U+001F,
// leaves all other bytes (UTF-8) as they are.
void AppendJsonString(std::string_view raw, std::string* out);

// Appends the JSON value for one COPY-escaped field that is not NULL ("\N").
void AppendJsonValue(Codec codec, std::string_view copy_field, std::string* out);

}  // namespace dredge
