#include "formats/key_set.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

namespace dredge {

std::vector<IntRange> NormalizeRanges(std::vector<IntRange> r) {
  std::sort(r.begin(), r.end());
  std::vector<IntRange> out;
  for (const auto& x : r) {
    if (!out.empty() && (x.first <= out.back().second ||
                         (out.back().second != INT64_MAX && x.first == out.back().second + 1))) {
      out.back().second = std::max(out.back().second, x.second);
    } else {
      out.push_back(x);
    }
  }
  return out;
}

std::vector<IntRange> RangesOfKeys(std::vector<int64_t> keys) {
  std::sort(keys.begin(), keys.end());
  std::vector<IntRange> out;
  for (int64_t k : keys) {
    if (!out.empty() && (k == out.back().second || k == out.back().second + 1)) {
      out.back().second = k;
    } else {
      out.emplace_back(k, k);
    }
  }
  return out;
}

bool RangesContain(const std::vector<IntRange>& r, int64_t v) {
  auto it = std::upper_bound(r.begin(), r.end(), v,
                             [](int64_t x, const IntRange& e) { return x < e.first; });
  if (it == r.begin()) return false;
  --it;
  return v <= it->second;
}

bool RangesOverlap(const std::vector<IntRange>& r, int64_t lo, int64_t hi) {
  auto it = std::lower_bound(r.begin(), r.end(), lo,
                             [](const IntRange& e, int64_t x) { return e.second < x; });
  return it != r.end() && it->first <= hi;
}

LiveKeySet LiveKeySet::OfInts(std::vector<IntRange> ranges) {
  LiveKeySet s;
  s.is_int_ = true;
  s.ranges_ = NormalizeRanges(std::move(ranges));
  for (const auto& [a, b] : s.ranges_) s.count_ += static_cast<uint64_t>(b - a) + 1;
  return s;
}

LiveKeySet LiveKeySet::OfTexts(std::vector<std::string> keys) {
  LiveKeySet s;
  s.is_int_ = false;
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  s.count_ = keys.size();
  s.texts_ = std::move(keys);
  return s;
}

bool LiveKeySet::Contains(const std::string& key) const {
  return std::binary_search(texts_.begin(), texts_.end(), key);
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool ParseInt(std::string_view s, int64_t* v) {
  s = Trim(s);
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

Result<std::vector<IntRange>> ParseIdList(std::string_view text) {
  std::vector<IntRange> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(",\n", start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    if (auto hash = item.find('#'); hash != std::string_view::npos) item = item.substr(0, hash);
    item = Trim(item);
    start = end + 1;
    if (item.empty()) continue;
    auto bad = [&] {
      return Status::Usage("cannot read id '" + std::string(item) +
                           "' in --ids: use ids and inclusive ranges like 1-100,205,300-310");
    };
    int64_t a, b;
    size_t dash = item.find('-', 1);  // a leading '-' is a sign
    if (dash == std::string_view::npos) {
      if (!ParseInt(item, &a)) return bad();
      b = a;
    } else {
      if (!ParseInt(item.substr(0, dash), &a) || !ParseInt(item.substr(dash + 1), &b) || b < a)
        return bad();
    }
    out.emplace_back(a, b);
  }
  if (out.empty()) return Status::Usage("--ids names no id");
  return NormalizeRanges(std::move(out));
}

Result<std::vector<IntRange>> ParseIdsArgument(const std::string& arg) {
  if (!arg.empty() && arg[0] == '@') {
    std::ifstream in(arg.substr(1));
    if (!in) return Status::Usage("cannot read --ids file " + arg.substr(1));
    std::stringstream ss;
    ss << in.rdbuf();
    return ParseIdList(ss.str());
  }
  return ParseIdList(arg);
}

std::string TextKeyOf(const std::vector<std::string>& fields, const std::vector<size_t>& key_idx) {
  std::string k;
  for (size_t j = 0; j < key_idx.size(); ++j) {
    if (j) k.push_back('\t');
    k += fields[key_idx[j]];
  }
  return k;
}

int64_t IntKeyOf(std::string_view field) {
  int64_t v = 0;
  std::from_chars(field.data(), field.data() + field.size(), v);
  return v;
}

}  // namespace dredge
