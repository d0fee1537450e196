// Counts in messages: Plural(1, "file") == "1 file", Plural(3, "file") == "3 files",
// Plural(2, "copy", "copies") == "2 copies". Every user-facing count goes through it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace dredge {

inline std::string Plural(uint64_t n, std::string_view singular, std::string_view plural = {}) {
  std::string word(n == 1 ? singular : plural.empty() ? singular : plural);
  if (n != 1 && plural.empty()) word += 's';
  return std::to_string(n) + " " + word;
}

}  // namespace dredge
