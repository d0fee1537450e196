// Which relations one `backup db` run backs up (docs/db-tier.md, "Several tables"): the tables
// the user named, or every table of the listed schemas (`tables = "*"`) minus `exclude_tables`
// globs. Relations that are not backed up as tables of their own (views, materialized views,
// foreign tables, partitions whose partitioned table is backed up) are returned with what is
// done about them, so the run can name each one: nothing is skipped silently.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "engine/db/catalog.h"
#include "engine/db/pg_conn.h"
#include "formats/manifest.h"

namespace dredge {

struct TableSelection {
  std::vector<std::string> names;  // as PostgreSQL reads them; ignored when `all`
  bool all = false;
  std::vector<std::string> schemas = {"public"};  // for `all`
  std::vector<std::string> exclude;               // globs (fnmatch) on "schema.table" or "table"
};

struct TablePlan {
  std::vector<TableRef> tables;  // sorted by "schema.table", no duplicates
  std::vector<NotBackedUp> not_backed_up;
};

// NotFound for a named relation that does not exist; Usage when nothing is left to back up.
Result<TablePlan> PlanTables(PgConn& conn, const TableSelection& sel);

// True when `qualified` ("schema.table") or its table part matches one of the globs.
bool MatchesAnyGlob(const std::vector<std::string>& globs, const std::string& qualified);

}  // namespace dredge
