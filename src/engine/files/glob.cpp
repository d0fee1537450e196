#include "engine/files/glob.h"

namespace dredge {

bool GlobMatchWhole(std::string_view p, std::string_view t) {
  // Plain backtracking: patterns and paths are short, and this stays obviously correct.
  while (!p.empty()) {
    if (p.starts_with("**")) {
      std::string_view rest = p.substr(2);
      // "a/**/b" also matches "a/b": the "**/" may stand for no directory at all.
      if (rest.starts_with('/') && GlobMatchWhole(rest.substr(1), t)) return true;
      for (size_t i = 0; i <= t.size(); ++i)
        if (GlobMatchWhole(rest, t.substr(i))) return true;
      return false;
    }
    if (p[0] == '*') {
      std::string_view rest = p.substr(1);
      for (size_t i = 0; i <= t.size(); ++i) {
        if (GlobMatchWhole(rest, t.substr(i))) return true;
        if (i < t.size() && t[i] == '/') break;
      }
      return false;
    }
    if (t.empty()) return false;
    if (p[0] == '?' ? t[0] == '/' : p[0] != t[0]) return false;
    p.remove_prefix(1);
    t.remove_prefix(1);
  }
  return t.empty();
}

bool GlobMatchPath(std::string_view pattern, std::string_view path) {
  if (pattern.starts_with('/')) return GlobMatchWhole(pattern.substr(1), path);
  if (GlobMatchWhole(pattern, path)) return true;
  for (size_t i = 0; i < path.size(); ++i)
    if (path[i] == '/' && GlobMatchWhole(pattern, path.substr(i + 1))) return true;
  return false;
}

bool PathFilter::Selects(std::string_view path) const {
  for (const auto& e : excludes_)
    if (GlobMatchPath(e, path)) return false;
  if (includes_.empty()) return true;
  for (const auto& i : includes_)
    if (GlobMatchPath(i, path)) return true;
  return false;
}

}  // namespace dredge
