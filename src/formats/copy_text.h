// PostgreSQL's COPY text format (the default of COPY ... TO STDOUT / FROM STDIN): fields
// separated by a tab, rows ended by a newline, NULL written as \N, and backslash escapes for
// backslash, \b \f \n \r \t \v. These helpers produce byte-for-byte what the server prints
// (CopyAttributeOutText), so a value decoded from a chunk compares equal to a live one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dredge::copytext {

inline constexpr std::string_view kNull = "\\N";

// Splits one row (without its trailing newline) into its still-escaped fields.
void SplitLine(std::string_view line, std::vector<std::string_view>* fields);

// Appends `raw` escaped for COPY text input/output.
void AppendEscaped(std::string_view raw, std::string* out);
inline std::string Escape(std::string_view raw) {
  std::string s;
  AppendEscaped(raw, &s);
  return s;
}

// The raw text of an escaped field (also accepts the octal and \x forms COPY FROM reads).
std::string Unescape(std::string_view field);

}  // namespace dredge::copytext
