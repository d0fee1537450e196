// Fuzzes the chunk decoder (docs/formats/chunk.md): any bytes must give Ok or an error value,
// never a crash, a hang or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/chunk_reader.h"

namespace {

class CountingSink : public dredge::ChunkRowSink {
 public:
  dredge::Status OnHeader(const dredge::ChunkHeader& h) override {
    columns_ = h.columns.size();
    return dredge::Status::Ok();
  }
  dredge::Status OnRow(std::vector<std::string>& fields) override {
    // The decoder promises one field per header column.
    if (fields.size() != columns_) __builtin_trap();
    return dredge::Status::Ok();
  }

 private:
  size_t columns_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CountingSink sink;
  (void)dredge::DecodeChunk(std::string_view(reinterpret_cast<const char*>(data), size), sink);
  return 0;
}
