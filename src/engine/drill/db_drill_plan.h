// What the database half of `dredge drill` will do, decided before any database is touched
// (planner → plan value → executor, engine/drill/db_drill.h): the manifest, the tables of it to
// restore and compare, the rows each restore must load, the row sample and the scratch schema.
//
// What a caller may rely on:
// - PlanDbDrill is pure: the same manifest, options and `scratch_random` give the same plan; it
//   reads no store, database or clock (the caller draws `scratch_random`, so a test pins it).
// - tables: the manifest's tables in its (name) order, all of them or those `table` names (by its
//   qualified or its bare public name; a manifest of one table is drilled whatever `table`
//   says, as `table` then names the live table to compare with). Usage when `table` names none,
//   Corrupt for a manifest that lists no table.
// - expected_rows: the manifest's live-key count, or for a table without a key (read whole each
//   run) the rows its chunks hold; zero is a plan like any other (an empty table).
// - scratch_schema: "dredge_drill_" and 8 hex digits of `scratch_random`; every table is restored
//   into it under its own bare name (`into`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/progress.h"
#include "common/status.h"
#include "engine/db/manifest_store.h"
#include "engine/db/pg_conn.h"
#include "formats/manifest.h"

namespace dredge {

struct DbDrillOptions {
  PgOptions source;                  // the live table's database
  std::optional<PgOptions> scratch;  // --scratch-db; nullopt: the source database
  std::string table;                 // live table to compare; empty: the manifest's table
  uint64_t sample_rows = 1000;
  uint64_t seed = 0;
  bool keep = false;
  int workers = 4;
  // Which manifest to restore (engine/db/manifest_select.h); empty: the newest dredge manifest.
  RestorePointQuery point;
  // The scratch restore (chunks loaded, out of the manifest's), then "drill db: rows compared"
  // (rows looked up in both directions, out of the samples).
  Progress* progress = nullptr;
};

struct DbDrillTable {
  Manifest entry;            // the manifest's entry for the table (schema, chunks, horizon)
  std::string compare_with;  // the live table: `table`, else the entry's qualified name
  std::string into;          // <scratch_schema>.<bare table name>, unquoted (restore's --into)
  uint64_t expected_rows = 0;
  bool keyless = false;  // compared by count only
};

struct DbDrillPlan {
  std::string manifest;  // its key
  std::vector<DbDrillTable> tables;
  std::string scratch_schema;
  bool scratch_is_source = true;  // no --scratch-db: the schema goes into the source database
  uint64_t sample_rows = 0, seed = 0;
  bool keep = false;

  uint64_t ExpectedRows() const;  // over the tables
};

// "dredge_drill_" + 8 lowercase hex digits of `random`'s low 32 bits.
std::string ScratchSchemaName(uint64_t random);

Result<DbDrillPlan> PlanDbDrill(const RunManifest& run, const DbDrillOptions& o,
                                uint64_t scratch_random);

}  // namespace dredge
