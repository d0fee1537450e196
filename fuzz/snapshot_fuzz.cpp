// Fuzzes the files-tier snapshot parser (docs/formats/snapshot.md), a stream (SAX) reader.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "formats/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  (void)dredge::ParseSnapshot(
      in, "fuzz", [](const dredge::SnapshotEntry&) { return dredge::Status::Ok(); },
      [](const dredge::SnapshotHeader&) { return dredge::Status::Ok(); });
  return 0;
}
