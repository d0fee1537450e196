// Reads what the manifest records about a table from PostgreSQL's catalogs (columns and types,
// NOT NULL, defaults, identity/generated columns, check/unique/exclusion constraints, primary
// key, other indexes, the owned sequence and its value when the role may read it). Needs only
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
};

// Resolves a user's table name (as PostgreSQL reads it: `articles`, `public.articles`,
// `"Mixed Case"`). NotFound naming it when it does not exist.
Result<TableRef> ResolveTable(PgConn& conn, const std::string& name);

// Reads the schema. InvalidArgument when the table has no primary key.
Result<TableSchema> ReadTableSchema(PgConn& conn, const TableRef& table);

}  // namespace dredge
