#include "engine/db/restorable_state.h"

#include "engine/db/chunk_fetch.h"
#include "engine/db/manifest_store.h"
#include "formats/key_set.h"

namespace dredge {

uint64_t RowHash(std::string_view line) {
  // FNV-1a 64: fast, and a 64-bit hash per row makes accidental equality negligible here.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : line) h = (h ^ c) * 1099511628211ull;
  return h;
}

std::string JoinLine(const std::vector<std::string>& f, size_t from) {
  std::string line;
  for (size_t j = from; j < f.size(); ++j) {
    if (j > from) line.push_back('\t');
    line += f[j];
  }
  return line;
}

Result<TableState> RestorableState(ObjectStore& store, const Manifest& entry,
                                   std::vector<size_t>* key_idx) {
  DREDGE_ASSIGN_OR_RETURN(auto chain, LoadChain(store, entry));
  const Manifest& m0 = chain.front();
  auto cols = m0.schema.ChunkColumns();
  *key_idx = m0.schema.KeyIndexes();
  if (m0.schema.Keyless())
    for (size_t i = 0; i < cols.size(); ++i) key_idx->push_back(i);

  // Newest first along the chain, so the first version seen of a key is the restorable one.
  TableState state;
  for (const auto& m : chain)
    for (const auto& c : m.chunks) {
      const auto index = static_cast<uint32_t>(state.chunks.size());
      state.chunks.push_back(c.key);
      Status st = ReadChunkRows(store, c, cols, [&](std::vector<std::string>& f) {
        std::string k = TextKeyOf(f, *key_idx);
        bool live = m0.schema.Keyless()         ? true
                    : m0.schema.HasIntegerKey() ? m0.live_keys.Contains(std::stoll(k))
                                                : m0.live_keys.Contains(k);
        if (live && !state.rows.count(k))
          state.rows.emplace(std::move(k), RowVersion{RowHash(JoinLine(f, 0)), index});
        return Status::Ok();
      });
      if (!st.ok()) return st;
    }
  return state;
}

}  // namespace dredge
