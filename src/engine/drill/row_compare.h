// Compares a restored copy of a table with the live table, key by key, for `dredge drill`.
// The two tables may live in different databases (--scratch-db): each side hashes its rows
// (md5 of ROW(columns)::text, in sessions PgConn fixes to the same DateStyle/TimeZone/float
// settings) and only keys and hashes cross over.
//
// Two directions, both a reproducible sample (ordered by md5 of the key text and the seed):
//  - backup → source: up to `sample_rows` keys of the copy (all when the copy is that small).
//    A key whose live row hashes the same is equal. Otherwise the live row's xmin decides
//    (docs/db-horizon.md): a row written by a transaction not older than the backup's horizon,
//    or deleted, changed since the backup and is reported; a row older than the horizon is
//    the very version the backup saw, so a different hash is a mismatch (the copy is wrong).
//  - source → backup: up to `sample_rows` live keys older than the horizon must be in the copy
//    (a row the backup saw and restore lost is a mismatch).
// When `horizon_valid` is false (the live table was replaced or the cluster is another one, so
// xmins say nothing about the backup) differing rows are reported as changed and the second
// direction is skipped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/progress.h"
#include "common/status.h"
#include "engine/db/pg_conn.h"

namespace dredge {

struct RowCompareSpec {
  std::vector<std::string> key_columns;
  std::vector<std::string> key_types;  // format_type() text, e.g. "integer"
  std::vector<std::string> columns;    // the columns hashed (the backup's chunk columns)
  std::string copy_table;              // quoted, in the scratch connection's database
  std::string source_table;            // quoted, in the source connection's database
  std::string horizon;                 // xid8 as decimal (manifest "horizon")
  bool horizon_valid = true;
  uint64_t sample_rows = 1000;
  uint64_t seed = 0;
  // When set: rows compared (both directions), out of the samples' sizes as they become known;
  // the caller starts and stops it, CompareRows only counts and sets the totals.
  Progress* progress = nullptr;
};

struct RowProblem {
  std::string key;  // the key's text, columns joined by ", "
  std::string error;
};

struct RowCompareResult {
  uint64_t compared = 0, equal = 0;
  uint64_t source_sampled = 0;  // live keys older than the horizon looked up in the copy
  std::vector<RowProblem> changed;
  std::vector<RowProblem> mismatched;
};

Result<RowCompareResult> CompareRows(PgConn& copy, PgConn& source, const RowCompareSpec& spec);

// A PostgreSQL array literal ({"a","b\"c"}) of `values`, for $n::text[] parameters.
std::string TextArrayLiteral(const std::vector<std::string>& values);

}  // namespace dredge
