// Fuzzes the legacy (StoryDredge script) chunk reader, including its NaN/Infinity rewriting.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/legacy_chunk.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)dredge::LooksLikeLegacyChunk(text);
  (void)dredge::QuoteNonFiniteTokens(text);
  (void)dredge::DecodeLegacyChunk(text);
  return 0;
}
