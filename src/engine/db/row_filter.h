// The row filters of restore: --ids (single integer keys) and --since/--until on a date or
// timestamp column (inclusive, compared in the column's own type), per row and per chunk
// (zone maps), so whole chunks can be skipped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/db/restorer.h"
#include "formats/column_codec.h"
#include "formats/key_set.h"
#include "formats/manifest.h"

namespace dredge {

struct RowFilter {
  std::optional<std::vector<IntRange>> ids;
  int date_col = -1;
  std::string date_name;
  Temporal kind = Temporal::kNone;
  std::optional<int64_t> since, until;

  bool Pass(const std::vector<std::string>& fields, int64_t int_key) const;
  // True when the chunk's zone map shows no row can pass the date filter.
  bool ExcludesZone(const ChunkEntry& c) const;
};

// Usage when --ids is given for a key that is not one integer column, when --date-column
// names no date/timestamp column, or when --since/--until are given and the table has no (or
// more than one, without --date-column) such column.
Result<RowFilter> MakeRowFilter(const RestoreOptions& opts, const std::vector<ColumnSpec>& cols,
                                bool int_key);

}  // namespace dredge
