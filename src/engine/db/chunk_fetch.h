// Fetches one chunk listed in a manifest, checks its size and sha256 against the manifest
// before anything reads it, decompresses it and decodes its rows. Corrupt names the chunk and
// what differs; a missing chunk is Corrupt too (the backup is damaged either way).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "formats/chunk_reader.h"
#include "formats/manifest.h"
#include "store/object_store.h"

namespace dredge {

// The verified, decompressed JSON body of the chunk.
Result<std::string> FetchVerifiedChunk(ObjectStore& store, const ChunkEntry& entry);

// Fetches, verifies and decodes; `expected` are the columns the manifest's schema stores, and
// the chunk's must equal them. `fn` gets each row's fields in that column order.
Status ReadChunkRows(ObjectStore& store, const ChunkEntry& entry,
                     const std::vector<ColumnSpec>& expected,
                     const std::function<Status(std::vector<std::string>&)>& fn);

}  // namespace dredge
