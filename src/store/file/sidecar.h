// The file:// driver's metadata sidecar (docs/formats/file-store.md, version 1): where it lives
// for a key, and its JSON encoding. Decoding never throws: a bad sidecar is a Corrupt status the
// driver treats as missing (it then recomputes the MD5 from the data file).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/object_store.h"

namespace dredge::filestore {

inline constexpr int kSidecarVersion = 1;

struct SidecarEntry {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  std::string md5;
  std::string content_type;
  Metadata metadata;
};

struct Sidecar {
  std::string key;
  std::vector<SidecarEntry> entries;  // newest first, at most two
};

// {"ab", "ab12…ef.json"}: the subfolder of .dredge/meta/ and the file name for `key`.
std::pair<std::string, std::string> SidecarLocation(std::string_view key);

std::string EncodeSidecar(const Sidecar& sidecar);
// Corrupt when the text is not a version-1 sidecar.
Result<Sidecar> DecodeSidecar(std::string_view text);

// The entry describing a data file of this size and mtime, or nullptr.
const SidecarEntry* FindEntry(const Sidecar& sidecar, uint64_t size, int64_t mtime_ns);

// InvalidArgument unless every metadata key and value is printable ASCII (the contract, O2).
Status ValidateMetadata(std::string_view key, const Metadata& metadata);

}  // namespace dredge::filestore
