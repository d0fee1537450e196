// Encodes rows read with COPY ... TO STDOUT (text format) into one chunk body
// (docs/formats/chunk.md) and gathers what the manifest records about it: row count,
// primary-key range and zone maps of date/timestamp columns. One writer per chunk at a time;
// not thread-safe (use one per worker).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "formats/column_codec.h"

namespace dredge {

struct ZoneMap {
  bool any = false;
  int64_t min_key = 0, max_key = 0;
  std::string min, max;  // COPY-escaped text of the extremes
};

struct ChunkStats {
  uint64_t rows = 0;
  std::vector<std::string> key_min, key_max;  // COPY-escaped key fields
  std::vector<ZoneMap> zones;                 // one per column; used for temporal ones only
};

// Orders primary keys given as COPY-escaped fields: integer columns numerically, others by
// their bytes.
int CompareKeys(const std::vector<ColumnSpec>& columns, const std::vector<size_t>& key_columns,
                const std::vector<std::string>& a, const std::vector<std::string>& b);

class ChunkWriter {
 public:
  ChunkWriter(std::vector<ColumnSpec> columns, std::vector<size_t> key_columns);

  void Begin(std::string_view table, std::string_view run, uint64_t number);
  // Sizes the body buffer up front (a guess from the raw COPY bytes), so it is not regrown and
  // copied while rows are added.
  void Reserve(size_t bytes) { out_.reserve(bytes); }
  // One row without its trailing newline. Corrupt when the field count is wrong.
  Status AddRow(std::string_view copy_line);
  // The finished JSON body; the writer is ready for Begin again.
  std::string Finish();
  const ChunkStats& stats() const { return stats_; }

 private:
  std::vector<ColumnSpec> columns_;
  std::vector<size_t> key_columns_;
  std::vector<std::string> name_prefix_;  // `"name":` per column, with a leading comma after 0
  std::string out_;
  ChunkStats stats_;
  std::vector<std::string_view> fields_;
  std::vector<std::string> key_;
};

}  // namespace dredge
