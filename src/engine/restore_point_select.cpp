#include "engine/restore_point_select.h"

#include "common/time_util.h"

namespace dredge {
namespace {

bool IdCharacters(const std::string& text) {
  for (char c : text)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'))
      return false;
  return true;
}

bool Matches(const RestorePointName& p, const std::string& text) {
  if (p.id.starts_with(text)) return true;
  return p.head <= p.id.size() && std::string_view(p.id).substr(p.head).starts_with(text);
}

Status Ambiguous(const std::vector<RestorePointName>& all, const std::vector<size_t>& hits,
                 const std::string& text, const SelectWords& w) {
  std::string msg = "'" + text + "' matches " + std::to_string(hits.size()) + " " + w.noun +
                    "s in " + w.where + ":";
  const size_t shown = hits.size() > 10 ? 10 : hits.size();
  for (size_t i = 0; i < shown; ++i) msg += " " + all[hits[i]].id;
  if (shown < hits.size()) msg += " and " + std::to_string(hits.size() - shown) + " more";
  return Status::Usage(msg + "; give more characters of the id");
}

Result<size_t> Newest(const std::vector<RestorePointName>& all, std::optional<int64_t> as_of_ns,
                      const SelectWords& w) {
  if (all.empty())
    return Status::NotFound("no " + w.noun + " in " + w.where + " ('" + w.list_command +
                            "' lists them)");
  if (!as_of_ns) return all.size() - 1;
  std::optional<size_t> pick;
  for (size_t i = 0; i < all.size(); ++i)
    if (all[i].time_s * 1000000000LL <= *as_of_ns) pick = i;
  if (!pick)
    return Status::NotFound("no " + w.noun + " in " + w.where + " at or before " +
                            FormatIsoUtcNanos(*as_of_ns) + " ('" + w.list_command +
                            "' lists them)");
  return *pick;
}

}  // namespace

Result<size_t> SelectRestorePoint(const std::vector<RestorePointName>& all,
                                  const RestorePointSelector& s, const SelectWords& w) {
  if (s.text.empty() || s.text == "latest") return Newest(all, s.as_of_ns, w);
  if (s.as_of_ns) return Status::Usage("give either a " + w.noun + " or --as-of, not both");
  if (!IdCharacters(s.text))
    return Status::Usage("'" + s.text + "' is not a " + w.noun +
                         " id, a prefix of one or 'latest' ('" + w.list_command + "' lists them)");
  std::vector<size_t> hits;
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].id == s.text) return i;
    if (Matches(all[i], s.text)) hits.push_back(i);
  }
  if (hits.size() == 1) return hits[0];
  if (hits.size() > 1) return Ambiguous(all, hits, s.text, w);
  return Status::NotFound("no " + w.noun + " in " + w.where + " matches '" + s.text + "' ('" +
                          w.list_command + "' lists them)");
}

}  // namespace dredge
