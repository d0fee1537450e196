#include "engine/db/row_filter.h"

#include "formats/copy_text.h"
#include "formats/temporal.h"

namespace dredge {

bool RowFilter::Pass(const std::vector<std::string>& f, int64_t int_key) const {
  if (ids && !RangesContain(*ids, int_key)) return false;
  if (date_col >= 0) {
    const std::string& v = f[static_cast<size_t>(date_col)];
    if (v == copytext::kNull) return false;
    auto k = TemporalKey(kind, v);
    if (!k.ok()) return false;
    if (since && *k < *since) return false;
    if (until && *k > *until) return false;
  }
  return true;
}

bool RowFilter::ExcludesZone(const ChunkEntry& c) const {
  if (date_col < 0) return false;
  auto it = c.zones.find(date_name);
  if (it == c.zones.end()) return c.rows > 0;  // only NULLs: nothing passes
  auto lo = TemporalKey(kind, it->second.first);
  auto hi = TemporalKey(kind, it->second.second);
  if (!lo.ok() || !hi.ok()) return false;
  if (since && *hi < *since) return true;
  if (until && *lo > *until) return true;
  return false;
}

Result<RowFilter> MakeRowFilter(const RestoreOptions& o, const std::vector<ColumnSpec>& cols,
                                bool int_key) {
  RowFilter f;
  if (o.ids) {
    if (!int_key)
      return Status::Usage("--ids needs a table whose primary key is one integer column");
    f.ids = o.ids;
  }
  if (o.since.empty() && o.until.empty()) {
    if (!o.date_column.empty()) return Status::Usage("--date-column needs --since and/or --until");
    return f;
  }
  std::vector<int> candidates;
  for (size_t i = 0; i < cols.size(); ++i) {
    if (cols[i].temporal == Temporal::kNone) continue;
    if (o.date_column.empty() || cols[i].name == o.date_column)
      candidates.push_back(static_cast<int>(i));
  }
  if (!o.date_column.empty() && candidates.empty())
    return Status::Usage("--date-column '" + o.date_column +
                         "' is not a date or timestamp column of the backed-up table");
  if (candidates.empty())
    return Status::Usage("--since/--until need a date or timestamp column; the table has none");
  if (candidates.size() > 1) {
    std::string names;
    for (int i : candidates) names += (names.empty() ? "" : ", ") + cols[i].name;
    return Status::Usage("--since/--until: say which column with --date-column (one of " + names +
                         ")");
  }
  f.date_col = candidates[0];
  f.date_name = cols[f.date_col].name;
  f.kind = cols[f.date_col].temporal;
  if (!o.since.empty()) {
    DREDGE_ASSIGN_OR_RETURN(int64_t k, UserTimeKey(f.kind, o.since));
    f.since = k;
  }
  if (!o.until.empty()) {
    DREDGE_ASSIGN_OR_RETURN(int64_t k, UserTimeKey(f.kind, o.until));
    f.until = k;
  }
  return f;
}

}  // namespace dredge
