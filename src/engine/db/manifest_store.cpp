#include "engine/db/manifest_store.h"

#include <algorithm>

namespace dredge {

Result<PrefixListing> ListPrefix(ObjectStore& store) {
  PrefixListing out;
  DREDGE_RETURN_IF_ERROR(store.List(dbkeys::kManifestPrefix, [&](const ObjectInfo& o) {
    if (dbkeys::ManifestIdOfKey(o.key)) out.manifest_keys.push_back(o.key);
    return Status::Ok();
  }));
  DREDGE_RETURN_IF_ERROR(store.List(dbkeys::kChunkPrefix, [&](const ObjectInfo& o) {
    if (auto c = dbkeys::ParseChunkKey(o.key)) {
      out.chunk_keys.push_back(o.key);
      out.max_chunk_number = std::max(out.max_chunk_number, c->number);
    }
    return Status::Ok();
  }));
  std::sort(out.manifest_keys.begin(), out.manifest_keys.end());
  std::sort(out.chunk_keys.begin(), out.chunk_keys.end());
  return out;
}

Result<RunManifest> LoadManifest(ObjectStore& store, const std::string& key) {
  auto text = GetString(store, key);
  if (!text.ok()) {
    if (text.status().Is(ErrorKind::kNotFound))
      return Status::NotFound("manifest " + key + " does not exist in " + store.Describe());
    return text.status().WithContext("cannot read manifest " + key);
  }
  auto m = ParseRunManifest(*text);
  if (!m.ok()) return m.status().WithContext("manifest " + key);
  m->key = key;
  for (auto& t : m->tables) t.key = key;
  return m;
}

Result<std::optional<RunManifest>> NewestManifest(ObjectStore& store, const PrefixListing& l) {
  for (auto it = l.manifest_keys.rbegin(); it != l.manifest_keys.rend(); ++it) {
    auto m = LoadManifest(store, *it);
    if (m.ok()) return std::optional<RunManifest>(std::move(*m));
    if (m.status().Is(ErrorKind::kUnsupported)) continue;  // legacy
    return m.status();
  }
  return std::optional<RunManifest>();
}

Result<std::vector<Manifest>> LoadChain(ObjectStore& store, Manifest target) {
  std::vector<Manifest> chain;
  chain.push_back(std::move(target));
  while (chain.back().mode != "full") {
    if (!chain.back().previous)
      return Status::Corrupt("manifest " + chain.back().key +
                             " is incremental but names no previous manifest");
    if (chain.size() > 100000) return Status::Corrupt("manifest chain does not end");
    std::string prev = *chain.back().previous;
    auto m = LoadManifest(store, prev);
    if (!m.ok() && m.status().Is(ErrorKind::kNotFound)) {
      auto retired = LoadManifest(store, dbkeys::RetiredKey(prev));
      if (retired.ok() || !retired.status().Is(ErrorKind::kNotFound)) m = std::move(retired);
    }
    if (!m.ok())
      return Status::Corrupt("manifest " + chain.back().key + " continues from " + prev +
                             ", which cannot be read: " + m.status().message());
    const Manifest* entry = m->Find(chain.back().table);
    if (!entry)
      return Status::Corrupt("manifest " + chain.back().key + " continues table " +
                             chain.back().table + " from " + prev +
                             ", which does not hold that table");
    chain.push_back(*entry);
  }
  return chain;
}

}  // namespace dredge
