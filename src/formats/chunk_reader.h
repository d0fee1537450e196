// Decodes a chunk body (docs/formats/chunk.md) back into COPY text fields, streaming (SAX):
// no document tree is built, so a chunk costs about its own size in memory once.
// The fields given to the sink are exactly what `COPY ... TO STDOUT` prints for the value
// (NULL as \N), in the order of the chunk's `columns`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "formats/column_codec.h"

namespace dredge {

struct ChunkHeader {
  std::string format;
  int64_t version = 0;
  std::string table;
  std::string run;
  uint64_t number = 0;
  std::vector<ColumnSpec> columns;
};

class ChunkRowSink {
 public:
  virtual ~ChunkRowSink() = default;
  // Called once, after `columns` was read and before the first row.
  virtual Status OnHeader(const ChunkHeader& header) = 0;
  // One row; `fields` has one entry per header column. The sink may move from it.
  virtual Status OnRow(std::vector<std::string>& fields) = 0;
};

// Corrupt naming what is wrong (syntax with byte offset, unknown format/version, a row
// value of the wrong shape, a row that lacks a column). A row member that names no column is
// read and dropped, as docs/formats/chunk.md asks of readers.
Status DecodeChunk(std::string_view json, ChunkRowSink& sink);

}  // namespace dredge
