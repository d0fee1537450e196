// Fuzzes the dredge.toml parser and its validation (dredge.example.toml documents the keys).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)dredge::ParseConfigText(std::string_view(reinterpret_cast<const char*>(data), size),
                                "fuzz.toml");
  return 0;
}
