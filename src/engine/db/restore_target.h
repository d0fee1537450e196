// The table a restore loads into, inside the restore's single transaction: created from the
// manifest's schema when missing (sequence, columns, defaults, NOT NULL, checks, and for a
// partitioned table its partitions; primary key, unique constraints, indexes and comments
// only after the load, which is faster and validates the load), otherwise checked: it must have
// every column the chunks carry and be empty unless
// --replace (TRUNCATE) or --merge (upsert by primary key through a temporary table).
// Finally the sequence is set so nextval exceeds every id ever backed up.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/db/pg_conn.h"
#include "formats/manifest.h"

namespace dredge {

enum class RestoreMode { kEmptyOnly, kReplace, kMerge };

struct TargetTable {
  std::string quoted;     // "schema"."table" or "table"
  std::string into_text;  // as the user wrote it (--into, or the source's name)
  bool created = false;
  bool same_name_as_source = false;
  std::vector<std::string> pk_columns;
  std::vector<std::string> copy_columns;
  std::string copy_into;  // the table COPY writes to (the target or a temp table)
  RestoreMode mode = RestoreMode::kEmptyOnly;
};

// `into` is the user's --into (or the source's qualified name). `schema` may be null (legacy
// restore: the table must exist). `n` numbers the temporary merge table (dredge_merge_N, dropped
// at commit) when one transaction restores several tables. Usage/PreconditionFailed with a message
// saying what to do.
Result<TargetTable> PrepareTarget(PgConn& conn, const TableSchema* schema, const std::string& into,
                                  bool same_name_as_source,
                                  const std::vector<std::string>& copy_columns, RestoreMode mode,
                                  size_t n = 0);

// After the COPY: merges, adds the primary key (only when the row key is one),
// constraints, indexes and comments to a created table, sets the sequence
// of the single integer key column past `max_id` (when given).
Status FinishTarget(PgConn& conn, const TargetTable& t, const TableSchema* schema,
                    std::optional<int64_t> max_id);

// Column names of an existing table, in order (empty when it does not exist).
Result<std::vector<std::pair<std::string, std::string>>> TableColumns(PgConn& conn,
                                                                      const std::string& quoted);

// Quotes a user's table name: "a.b" → "a"."b", "b" → "b".
std::string QuoteUserTableName(const PgConn& conn, const std::string& name);

}  // namespace dredge
