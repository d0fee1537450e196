// Include/exclude filters on relative paths ('/'-separated, byte strings).
//
// Pattern syntax: `*` matches any bytes except '/', `?` one byte except '/', `**` any bytes
// including '/' (so `**/x` also matches `x` at the top), everything else matches itself.
// Anchoring (as rclone does it): a pattern starting with '/' matches from the top of the tree
// only; any other pattern matches the whole path or any tail of it that starts after a '/'.
// So `*.txt` matches `a.txt` and `cache/a.txt`, `/*.txt` only `a.txt`, `cache/*` only files
// directly in some `cache/` directory.
//
// PathFilter: a path is selected when it matches at least one include (or there are none) and
// no exclude. An exclude always beats an include.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace dredge {

// Matches `pattern` against the whole of `text` (no anchoring rules applied).
bool GlobMatchWhole(std::string_view pattern, std::string_view text);
// Applies the anchoring rules above.
bool GlobMatchPath(std::string_view pattern, std::string_view path);

class PathFilter {
 public:
  PathFilter() = default;
  PathFilter(std::vector<std::string> includes, std::vector<std::string> excludes)
      : includes_(std::move(includes)), excludes_(std::move(excludes)) {}
  bool Selects(std::string_view path) const;
  bool empty() const { return includes_.empty() && excludes_.empty(); }

 private:
  std::vector<std::string> includes_;
  std::vector<std::string> excludes_;
};

}  // namespace dredge
