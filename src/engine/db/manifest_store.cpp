#include "engine/db/manifest_store.h"

#include <algorithm>

#include "common/time_util.h"

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

Result<Manifest> LoadManifest(ObjectStore& store, const std::string& key) {
  auto text = GetString(store, key);
  if (!text.ok()) {
    if (text.status().Is(ErrorKind::kNotFound))
      return Status::NotFound("manifest " + key + " does not exist in " + store.Describe());
    return text.status().WithContext("cannot read manifest " + key);
  }
  auto m = ParseManifest(*text);
  if (!m.ok()) return m.status().WithContext("manifest " + key);
  m->key = key;
  return m;
}

Result<std::optional<Manifest>> NewestManifest(ObjectStore& store, const PrefixListing& l) {
  for (auto it = l.manifest_keys.rbegin(); it != l.manifest_keys.rend(); ++it) {
    auto m = LoadManifest(store, *it);
    if (m.ok()) return std::optional<Manifest>(std::move(*m));
    if (m.status().Is(ErrorKind::kUnsupported)) continue;  // legacy
    return m.status();
  }
  return std::optional<Manifest>();
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
    chain.push_back(std::move(*m));
  }
  return chain;
}

Result<std::string> ChooseManifestKey(const PrefixListing& l, const RestorePointQuery& q) {
  if (!q.manifest.empty()) {
    auto key = dbkeys::ManifestKeyFromUserText(q.manifest);
    if (!key)
      return Status::Usage("--manifest '" + q.manifest +
                           "' is not a manifest id (backup_manifest_YYYYMMDD_HHMMSS), key or "
                           "YYYYMMDD_HHMMSS; 'dredge manifests' lists them");
    if (!std::binary_search(l.manifest_keys.begin(), l.manifest_keys.end(), *key))
      return Status::NotFound("manifest " + *key +
                              " does not exist ('dredge manifests' lists them)");
    return *key;
  }
  if (l.manifest_keys.empty()) return Status::NotFound("the destination holds no manifest");
  if (!q.as_of_unix_nanos) return l.manifest_keys.back();
  int64_t limit = *q.as_of_unix_nanos / 1000000000;
  std::optional<std::string> best;
  for (const auto& k : l.manifest_keys) {
    auto stamp = dbkeys::ManifestStamp(k);
    if (!stamp) continue;
    auto t = ParseCompactUtc(*stamp);
    if (t.ok() && *t <= limit) best = k;
  }
  if (!best)
    return Status::NotFound("no manifest was written at or before " + FormatIsoUtc(limit) +
                            " ('dredge manifests' lists them)");
  return *best;
}

}  // namespace dredge
