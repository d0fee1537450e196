// Reading a decimal integer that PostgreSQL or dredge itself wrote (xids, keys, counts), where
// the text is known to be well formed: no error path, 0 for text that is not a number.
#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>

namespace dredge {

inline int64_t DecimalOrZero(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

}  // namespace dredge
