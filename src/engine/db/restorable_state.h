// The restorable state of one table at a manifest: for each live key, a hash of the newest row
// version the chain holds and the chunk it is stored in. `verify db --db` compares it with the
// live table; `diff --tier db` compares two of them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.h"
#include "formats/manifest.h"
#include "store/object_store.h"

namespace dredge {

// FNV-1a 64 of a row's COPY text line.
uint64_t RowHash(std::string_view line);

// Fields [from, end) joined by tabs (a COPY text line).
std::string JoinLine(const std::vector<std::string>& f, size_t from);

struct RowVersion {
  uint64_t hash = 0;
  uint32_t chunk = 0;  // index into TableState::chunks of the chunk holding this version
};

struct TableState {
  std::unordered_map<std::string, RowVersion> rows;
  std::vector<std::string> chunks;  // chunk keys
};

// Key text (TextKeyOf over *key_idx; the whole row for a keyless table) → newest version, for
// every key live in `entry`. Reads (and verifies) every chunk of the entry's chain; Corrupt
// naming the chunk when one is damaged.
Result<TableState> RestorableState(ObjectStore& store, const Manifest& entry,
                                   std::vector<size_t>* key_idx);

}  // namespace dredge
