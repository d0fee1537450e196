// Sets of primary keys: the live-key set a manifest records (integer keys compressed as
// inclusive ranges, other keys as a sorted list) and the --ids filter of restore.
// Non-integer keys are handled as their COPY text fields joined by a tab (tabs inside a
// field are escaped in COPY text, so the joined form is unambiguous).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace dredge {

using IntRange = std::pair<int64_t, int64_t>;  // inclusive

// Sorts, removes duplicates and merges adjacent/overlapping ranges.
std::vector<IntRange> NormalizeRanges(std::vector<IntRange> ranges);
// Compresses keys into ranges (sorts a copy first).
std::vector<IntRange> RangesOfKeys(std::vector<int64_t> keys);
bool RangesContain(const std::vector<IntRange>& ranges, int64_t v);
// Whether any value in [lo, hi] is in the ranges.
bool RangesOverlap(const std::vector<IntRange>& ranges, int64_t lo, int64_t hi);

// The key of a decoded row as LiveKeySet holds it: the COPY text fields at `key_idx` joined by
// a tab (for a single integer key, parse it with IntKeyOf instead).
std::string TextKeyOf(const std::vector<std::string>& fields, const std::vector<size_t>& key_idx);
// The value of an integer key's COPY text; 0 when it is not a number (the chunk's sha256 has
// been checked before rows are decoded, so that happens only for a wrong codec).
int64_t IntKeyOf(std::string_view field);

class LiveKeySet {
 public:
  static LiveKeySet OfInts(std::vector<IntRange> ranges);
  static LiveKeySet OfTexts(std::vector<std::string> keys);

  bool is_int() const { return is_int_; }
  uint64_t count() const { return count_; }
  bool Contains(int64_t key) const { return RangesContain(ranges_, key); }
  bool Contains(const std::string& key_text) const;
  const std::vector<IntRange>& ranges() const { return ranges_; }
  const std::vector<std::string>& texts() const { return texts_; }

 private:
  bool is_int_ = true;
  uint64_t count_ = 0;
  std::vector<IntRange> ranges_;
  std::vector<std::string> texts_;  // sorted
};

// Parses "1-100,205,300-310" (also one item per line, blanks and #comments ignored).
// Usage naming the bad item.
Result<std::vector<IntRange>> ParseIdList(std::string_view text);
// "--ids" argument: the list itself, or "@FILE" whose lines hold it.
Result<std::vector<IntRange>> ParseIdsArgument(const std::string& arg);

}  // namespace dredge
