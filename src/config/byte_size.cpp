#include "config/byte_size.h"

#include "common/progress.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>

namespace dredge {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<uint64_t> ParseByteSize(std::string_view text, std::string_view what) {
  auto bad = [&]() {
    return Status::Usage("cannot read " + std::string(what) + " '" + std::string(text) +
                         "': use a number with an optional k, M, G or T suffix, e.g. 512k or 20M");
  };
  std::string s = Lower(text);
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0) return bad();
  std::string number = s.substr(0, i);
  if (number.find('.') != number.rfind('.') || number == ".") return bad();
  std::string unit = s.substr(i);
  for (const char* tail : {"ib", "b"}) {
    std::string t(tail);
    if (unit.size() >= t.size() && unit.compare(unit.size() - t.size(), t.size(), t) == 0) {
      unit.resize(unit.size() - t.size());
      break;
    }
  }
  double mult = 1;
  if (unit == "k")
    mult = 1024.0;
  else if (unit == "m")
    mult = 1024.0 * 1024;
  else if (unit == "g")
    mult = 1024.0 * 1024 * 1024;
  else if (unit == "t")
    mult = 1024.0 * 1024 * 1024 * 1024;
  else if (!unit.empty())
    return bad();
  double value = std::strtod(number.c_str(), nullptr) * mult;
  if (!std::isfinite(value) || value >= 1.8e19) return bad();
  return static_cast<uint64_t>(std::llround(value));
}

Result<uint64_t> ParseByteRate(std::string_view text, std::string_view what) {
  std::string s(text);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, "/s") == 0) s.resize(s.size() - 2);
  if (s.empty() || s == "0" || Lower(s) == "off") return uint64_t{0};
  return ParseByteSize(s, what);
}

std::string FormatBytes(uint64_t bytes) {
  return HumanBytes(bytes);
}

}  // namespace dredge
