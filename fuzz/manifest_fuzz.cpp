// Fuzzes the manifest parser (docs/formats/manifest.md).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)dredge::ParseRunManifest(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
