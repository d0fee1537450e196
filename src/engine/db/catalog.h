// Reads what the manifest records about a table from PostgreSQL's catalogs (columns and types,
// NOT NULL, defaults, identity/generated columns, check/unique/exclusion constraints, primary
// key or the unique index used instead, other indexes, foreign keys, the owned sequence and its
// value when the role may read it, table and column comments, partitions). Needs only
// the catalog access every role has, plus SELECT on the sequence for its value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "engine/db/pg_conn.h"
#include "formats/manifest.h"

namespace dredge {

struct TableRef {
  int64_t oid = 0;
  std::string schema_name, table;
  std::string quoted;  // "schema"."table"
  bool partitioned = false;
};

// Resolves a user's table name (as PostgreSQL reads it: `articles`, `public.articles`,
// `"Mixed Case"`). NotFound naming it when it does not exist.
Result<TableRef> ResolveTable(PgConn& conn, const std::string& name);

// Reads the schema, comments included. The row key is the primary key, else a unique index
// over NOT NULL columns, else none (key_source says which). A partitioned table also gets its
// partition key and its partitions at every level (a partition partitioned itself is listed
// before its own partitions).
Result<TableSchema> ReadTableSchema(PgConn& conn, const TableRef& table);

}  // namespace dredge
