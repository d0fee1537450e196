// A ChunkRowSink for tests: keeps the header and each row as one tab-joined line, the shape of
// COPY text, so a test compares decoded chunks with plain strings.
#pragma once

#include <string>
#include <vector>

#include "formats/chunk_reader.h"

namespace dredge::testing {

class ChunkLines : public ChunkRowSink {
 public:
  Status OnHeader(const ChunkHeader& h) override {
    header = h;
    return Status::Ok();
  }
  Status OnRow(std::vector<std::string>& f) override {
    std::string line;
    for (size_t i = 0; i < f.size(); ++i) line += (i ? "\t" : "") + f[i];
    lines.push_back(line);
    return Status::Ok();
  }
  ChunkHeader header;
  std::vector<std::string> lines;
};

}  // namespace dredge::testing
