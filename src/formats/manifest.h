// The manifest of one `backup db` run (docs/formats/manifest.md), in memory and as JSON.
// Values of key and zone columns are held as COPY text fields (what the server prints) and
// written in chunk encoding (column_codec.h).
// A run backs up one or several tables: RunManifest is the whole file (version 1: one table,
// version 2: several), Manifest one table's part of it with the run's members copied in, so
// that everything reading one table's chain works the same for both versions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "formats/column_codec.h"
#include "formats/key_set.h"

namespace dredge {

struct SchemaColumn {
  std::string name;
  std::string type;
  bool not_null = false;
  std::optional<std::string> default_expr;
  bool serial = false;    // default is nextval() of the sequence the column owns
  std::string identity;   // "", "a", "d"
  std::string generated;  // expression of a stored generated column, else ""
};

struct TableConstraint {
  std::string name;
  std::string type;  // c, u, x
  std::string definition;
};

struct TableIndex {
  std::string name;
  bool unique = false;
  std::string method;  // "USING btree (col)" and everything after
};

struct SequenceInfo {
  std::string name;  // schema-qualified, quoted as needed
  std::string column;
  std::optional<int64_t> last_value;
  std::optional<bool> is_called;
};

// A foreign key of a backed-up table (version 2 lists them at the run level; version 1 only
// records `definition`).
struct ForeignKeyRef {
  std::string table;       // qualified, unquoted: "public.articles"
  std::string name;        // constraint name
  std::string references;  // qualified, unquoted
  std::string definition;  // pg_get_constraintdef
};

struct PartitionInfo {
  std::string name;   // qualified, unquoted
  std::string bound;  // "FOR VALUES ..." (pg_get_expr(relpartbound))
  std::optional<std::string> comment;
  std::string of;            // qualified parent when it is a partition itself, "" for the table
  std::string partition_by;  // pg_get_partkeydef when partitioned itself, else ""
};

// Where a table's row key comes from (docs/formats/manifest.md, version 2 "key").
inline constexpr std::string_view kKeyPrimary = "primary key";
inline constexpr std::string_view kKeyUniqueIndex = "unique index";
inline constexpr std::string_view kKeyNone = "none";

struct TableSchema {
  std::string schema_name;
  std::string table;
  std::vector<SchemaColumn> columns;
  std::string pk_name;
  std::vector<std::string> pk_columns;
  std::vector<TableConstraint> constraints;
  std::vector<TableIndex> indexes;
  std::optional<SequenceInfo> sequence;
  std::vector<ForeignKeyRef> foreign_keys;
  // The row key: pk_name/pk_columns hold the primary key, or the unique index used instead
  // (key_source "unique index"), or nothing ("none": the table is read whole every run).
  std::string key_source = std::string(kKeyPrimary);
  std::optional<std::string> comment;
  std::map<std::string, std::string> column_comments;  // column → comment
  std::string partition_by;                            // pg_get_partkeydef, "" unless partitioned
  std::vector<PartitionInfo> partitions;               // of a partitioned table

  // Columns stored in chunks (generated ones are not), with their codecs.
  std::vector<ColumnSpec> ChunkColumns() const;
  // Indexes of the primary-key columns within ChunkColumns().
  std::vector<size_t> KeyIndexes() const;
  // True for a single-column smallint/integer/bigint primary key.
  bool HasIntegerKey() const;
  std::string QualifiedName() const;  // "public.articles" (unquoted, for messages and chunks)
  bool Keyless() const { return key_source == kKeyNone; }
};

struct ChunkEntry {
  std::string key;
  uint64_t number = 0;
  std::string sha256;
  uint64_t size = 0;
  uint64_t rows = 0;
  std::string compression = "none";  // none | zstd
  std::string key_id;  // encryption key id (docs/formats/encryption.md); "" = not encrypted
  std::vector<std::string> key_min, key_max;                         // COPY text per key column
  std::map<std::string, std::pair<std::string, std::string>> zones;  // column → (min, max)
};

struct Manifest {
  int64_t version = 1;
  std::string id;
  std::string key;  // where it is stored (not part of the JSON; filled by the reader)
  std::string tool;
  std::string started_at, finished_at, run;
  std::string mode = "full";  // full | incremental
  std::string full_reason;
  std::optional<std::string> previous;
  // source
  std::string database;
  std::string table;  // qualified
  int64_t table_oid = 0;
  int64_t server_version = 0;
  std::optional<std::string> system_identifier;
  std::string snapshot_at;
  // snapshot (xid8 as decimal)
  std::string snapshot;
  std::string horizon;
  std::optional<std::string> after;
  TableSchema schema;
  std::vector<ChunkEntry> chunks;
  uint64_t rows = 0;
  uint64_t bytes = 0;
  LiveKeySet live_keys;
  std::optional<int64_t> max_key;
  // Key id of the AES-256-GCM key this run's chunks were sealed with (encryption.md), if any.
  std::optional<std::string> encryption_key_id;
};

// A relation a run did not back up as a table of its own, and what it did instead.
struct NotBackedUp {
  std::string name;  // qualified, unquoted
  std::string kind;  // view, materialized view, partition, foreign table, ...
  std::string action;
};

struct RunManifest {
  int64_t version = 1;
  std::string id;
  std::string key;  // where it is stored (filled by the reader)
  std::string run;
  std::optional<std::string> previous;
  std::string horizon;
  // One entry per table, sorted by `table` (exactly one for version 1). Each carries the
  // run's members (id, key, run, previous, snapshot, horizon, source, encryption) as well.
  std::vector<Manifest> tables;
  std::vector<NotBackedUp> not_backed_up;  // version 2 only

  const Manifest* Find(const std::string& qualified_table) const;
  uint64_t rows() const;
  uint64_t bytes() const;
  size_t chunk_count() const;
  // "full" when every table's entry is full, else "incremental".
  std::string mode() const;
};

// Version 1 (one table) JSON.
std::string ManifestToJson(const Manifest& m);
// A version 1 manifest. Corrupt naming the problem; a version 2 manifest is Corrupt too
// (use ParseRunManifest). A legacy StoryDredge manifest gives Unsupported.
Result<Manifest> ParseManifest(std::string_view text);

// Either version: version 1 when `run.version` is 1 (then exactly one table), else version 2.
std::string RunManifestToJson(const RunManifest& run);
// Reads either version. Corrupt / Unsupported as ParseManifest.
Result<RunManifest> ParseRunManifest(std::string_view text);
// A run of one table that has a primary key and is not partitioned is written as version 1.
bool FitsVersion1(const std::vector<Manifest>& tables);

// A key given as COPY text fields → chunk JSON values (array) and back.
std::string KeyToJsonArray(const std::vector<ColumnSpec>& key_columns,
                           const std::vector<std::string>& fields);

}  // namespace dredge
