// StdioSink: a ByteSink that appends to a stdio stream (a temporary file a Get spools into).
// Write fails with Io ("disk full?") when fwrite writes less than it was given.
#pragma once

#include <cstdio>
#include <string_view>

#include "common/status.h"
#include "store/byte_io.h"

namespace dredge {

class StdioSink final : public ByteSink {
 public:
  explicit StdioSink(std::FILE* f) : f_(f) {}
  Status Write(std::string_view d) override {
    if (std::fwrite(d.data(), 1, d.size(), f_) != d.size())
      return Status::Io("cannot write a temporary file (disk full?)");
    return Status::Ok();
  }

 private:
  std::FILE* f_;
};

}  // namespace dredge
