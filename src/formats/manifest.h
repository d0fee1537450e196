// The manifest of one `backup db` run (docs/formats/manifest.md), in memory and as JSON.
// Values of key and zone columns are held as COPY text fields (what the server prints) and
// written in chunk encoding (column_codec.h).
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

struct TableSchema {
  std::string schema_name;
  std::string table;
  std::vector<SchemaColumn> columns;
  std::string pk_name;
  std::vector<std::string> pk_columns;
  std::vector<TableConstraint> constraints;
  std::vector<TableIndex> indexes;
  std::optional<SequenceInfo> sequence;
  std::vector<std::string> foreign_keys;

  // Columns stored in chunks (generated ones are not), with their codecs.
  std::vector<ColumnSpec> ChunkColumns() const;
  // Indexes of the primary-key columns within ChunkColumns().
  std::vector<size_t> KeyIndexes() const;
  // True for a single-column smallint/integer/bigint primary key.
  bool HasIntegerKey() const;
  std::string QualifiedName() const;  // "public.articles" (unquoted, for messages and chunks)
};

struct ChunkEntry {
  std::string key;
  uint64_t number = 0;
  std::string sha256;
  uint64_t size = 0;
  uint64_t rows = 0;
  std::string compression = "none";                                  // none | zstd
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
};

std::string ManifestToJson(const Manifest& m);
// Corrupt naming the problem. A legacy StoryDredge manifest gives Unsupported.
Result<Manifest> ParseManifest(std::string_view text);

// A key given as COPY text fields → chunk JSON values (array) and back.
std::string KeyToJsonArray(const std::vector<ColumnSpec>& key_columns,
                           const std::vector<std::string>& fields);

}  // namespace dredge
