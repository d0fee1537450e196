#include "engine/db/prune.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>

#include "common/log.h"
#include "common/time_util.h"
#include "engine/db/chunk_fetch.h"
#include "engine/db/manifest_store.h"
#include "formats/db_keys.h"

namespace dredge {
namespace {

// The keys of every row of a chunk, in the form the live-key set uses.
struct ChunkKeys {
  std::vector<int64_t> ints;
  std::vector<std::string> texts;
};

class KeyCache {
 public:
  explicit KeyCache(ObjectStore& store) : store_(store) {}

  Result<const ChunkKeys*> Get(const Manifest& owner, const ChunkEntry& e) {
    auto it = cache_.find(e.key);
    if (it != cache_.end()) return &it->second;
    auto cols = owner.schema.ChunkColumns();
    auto key_idx = owner.schema.KeyIndexes();
    bool int_key = owner.schema.HasIntegerKey();
    ChunkKeys keys;
    DREDGE_RETURN_IF_ERROR(ReadChunkRows(store_, e, cols, [&](std::vector<std::string>& f) {
      if (int_key) {
        keys.ints.push_back(IntKeyOf(f[key_idx[0]]));
      } else {
        keys.texts.push_back(TextKeyOf(f, key_idx));
      }
      return Status::Ok();
    }));
    return &cache_.emplace(e.key, std::move(keys)).first->second;
  }

 private:
  ObjectStore& store_;
  std::map<std::string, ChunkKeys> cache_;
};

// Adds to `needed` the chunks of `chain` (newest first) that hold the newest version of a key
// live at chain.front(), exactly as the restorer picks rows.
Status MarkNeeded(const std::vector<Manifest>& chain, KeyCache& cache,
                  std::set<std::string>* needed) {
  const Manifest& top = chain.front();
  if (top.schema.Keyless()) {  // read whole every run: its chain is its own chunks
    for (const ChunkEntry& e : top.chunks) needed->insert(e.key);
    return Status::Ok();
  }
  std::unordered_set<int64_t> seen_int;
  std::unordered_set<std::string> seen_text;
  for (const Manifest& m : chain) {
    for (const ChunkEntry& e : m.chunks) {
      DREDGE_ASSIGN_OR_RETURN(const ChunkKeys* keys, cache.Get(m, e));
      bool holds = false;
      for (int64_t k : keys->ints)
        if (top.live_keys.Contains(k) && seen_int.insert(k).second) holds = true;
      for (const std::string& k : keys->texts)
        if (top.live_keys.Contains(k) && seen_text.insert(k).second) holds = true;
      if (holds || &m == &top) needed->insert(e.key);  // a kept manifest's own chunks stay
    }
  }
  return Status::Ok();
}

}  // namespace

DbKeepPolicy KeepLastManifests(size_t n) {
  return [n](const std::vector<DbRestorePoint>& points) {
    std::vector<std::string> out;
    for (size_t i = points.size() > n ? points.size() - n : 0; i < points.size(); ++i)
      out.push_back(points[i].id);
    return out;
  };
}

DbKeepPolicy KeepByRetention(const RetentionPolicy& policy,
                             std::vector<RetentionDecision::Kept>* kept) {
  return [policy, kept](const std::vector<DbRestorePoint>& points) {
    std::vector<RestorePoint> rp;
    std::vector<std::string> all;
    for (const auto& p : points) {
      rp.push_back({p.id, p.unix_seconds});
      all.push_back(p.id);
    }
    auto decision = ApplyRetention(std::move(rp), policy);
    if (!decision.ok()) {
      log::Warn("prune db keeps every manifest: " + decision.status().message());
      return all;
    }
    std::vector<std::string> out;
    for (const auto& k : decision->keep) out.push_back(k.id);
    if (kept) *kept = decision->keep;
    return out;
  };
}

// Steps 2 and 3 of a prune: the manifests that are no restore point any more, then retired
// copies nobody needs, then the chunks last (until then every manifest still finds all of its
// chunks). `progress` (optional) counts the objects deleted, out of all of them.
static Status DeleteInOrder(ObjectStore& store, const std::vector<const RunManifest*>& dropped,
                            const std::vector<std::string>& retired,
                            const std::vector<std::string>& chunks, Progress* progress) {
  if (progress) {
    progress->SetUnit("objects");
    progress->SetTotals(dropped.size() + retired.size() + chunks.size(), 0);
    progress->Start();
  }
  auto remove = [&](const std::string& key, const std::string& what) {
    Status st = store.Remove(key).WithContext("cannot remove " + what + key);
    if (progress) progress->AddFiles(1);
    return st;
  };
  for (const RunManifest* m : dropped) DREDGE_RETURN_IF_ERROR(remove(m->key, "manifest "));
  for (const auto& key : retired) DREDGE_RETURN_IF_ERROR(remove(key, ""));
  for (const auto& key : chunks) DREDGE_RETURN_IF_ERROR(remove(key, "chunk "));
  if (progress) progress->Stop();
  return Status::Ok();
}

Result<DbPruneReport> PruneDb(ObjectStore& store, const DbKeepPolicy& keep, bool dry_run,
                              Progress* progress) {
  DbPruneReport report;
  report.dry_run = dry_run;
  DREDGE_ASSIGN_OR_RETURN(PrefixListing listing, ListPrefix(store));

  // Every dredge manifest (legacy ones are left alone), oldest first.
  std::vector<RunManifest> manifests;
  for (const auto& key : listing.manifest_keys) {
    auto m = LoadManifest(store, key);
    if (!m.ok() && m.status().Is(ErrorKind::kUnsupported)) continue;
    if (!m.ok()) return m.status().WithContext("prune db stops before deleting anything");
    manifests.push_back(std::move(*m));
  }
  std::vector<RunManifest> retired_now;  // retired by an earlier prune
  std::map<std::string, uint64_t> chunk_sizes;
  DREDGE_RETURN_IF_ERROR(store.List(dbkeys::kRetiredPrefix, [&](const ObjectInfo& o) {
    auto m = LoadManifest(store, o.key);
    if (!m.ok()) return m.status().WithContext("prune db stops before deleting anything");
    retired_now.push_back(std::move(*m));
    return Status::Ok();
  }));
  DREDGE_RETURN_IF_ERROR(store.List(dbkeys::kChunkPrefix, [&](const ObjectInfo& o) {
    if (dbkeys::ParseChunkKey(o.key)) chunk_sizes[o.key] = o.size;
    return Status::Ok();
  }));
  if (manifests.empty()) return report;  // nothing to choose from; debris needs a manifest

  std::vector<DbRestorePoint> points;
  for (const auto& m : manifests) {
    int64_t t = 0;
    if (auto stamp = dbkeys::ManifestStamp(m.key)) {
      auto parsed = ParseCompactUtc(*stamp);
      if (parsed.ok()) t = *parsed;
    }
    points.push_back({m.id, t});
  }
  std::set<std::string> keep_ids;
  for (auto& id : keep(points)) keep_ids.insert(id);
  keep_ids.insert(manifests.back().id);  // the next backup continues from the newest

  // What every kept manifest needs: its chain's links and the chunks it reads.
  KeyCache cache(store);
  std::set<std::string> needed_chunks;
  std::map<std::string, const RunManifest*> by_id;  // retired copies first: originals win
  for (const auto& m : retired_now) by_id[m.id] = &m;
  for (const auto& m : manifests) by_id[m.id] = &m;
  std::map<std::string, const RunManifest*> links;  // id → chain member that is not kept
  for (const auto& m : manifests) {
    if (!keep_ids.count(m.id)) continue;
    report.kept.push_back(m.id);
    for (const Manifest& table : m.tables) {
      DREDGE_ASSIGN_OR_RETURN(std::vector<Manifest> chain, LoadChain(store, table));
      DREDGE_RETURN_IF_ERROR(MarkNeeded(chain, cache, &needed_chunks)
                                 .WithContext("prune db stops before deleting anything"));
      for (const auto& link : chain)
        if (!keep_ids.count(link.id) && by_id.count(link.id))
          links.emplace(link.id, by_id[link.id]);
    }
  }

  // Chunks some manifest (kept, dropped or retired) lists, and the first dredge chunk number.
  std::set<std::string> listed;
  uint64_t first_number = UINT64_MAX;
  auto note_listed = [&](const RunManifest& m) {
    for (const auto& t : m.tables)
      for (const auto& c : t.chunks) {
        listed.insert(c.key);
        first_number = std::min(first_number, c.number);
      }
  };
  for (const auto& m : manifests) note_listed(m);
  for (const auto& m : retired_now) note_listed(m);
  const std::string newest_run = manifests.back().run;

  // The highest-numbered chunk stays whatever it is: the next run numbers after it, and chunk
  // numbers never repeat (an empty newest run lists none to number after).
  std::string highest;
  uint64_t highest_number = 0;
  for (const auto& [key, size] : chunk_sizes) {
    uint64_t n = dbkeys::ParseChunkKey(key)->number;
    if (highest.empty() || n > highest_number) highest = key, highest_number = n;
  }
  std::vector<std::string> doomed_chunks;
  for (const auto& [key, size] : chunk_sizes) {
    if (needed_chunks.count(key) || key == highest) continue;
    bool debris = !listed.count(key);
    if (debris) {
      auto name = dbkeys::ParseChunkKey(key);
      // Before dredge's first listed chunk: the original script's, or unknown: keep.
      if (first_number == UINT64_MAX || name->number <= first_number) continue;
      if (!(name->stamp < newest_run)) continue;  // a run at least as new as the newest: keep
      ++report.debris_chunks;
    }
    doomed_chunks.push_back(key);
    report.deleted_chunk_bytes += size;
  }
  report.deleted_chunks = doomed_chunks;

  std::vector<const RunManifest*> dropped;
  for (const auto& m : manifests) {
    if (keep_ids.count(m.id)) continue;
    (links.count(m.id) ? report.retired : report.deleted_manifests).push_back(m.id);
    dropped.push_back(&m);
  }
  // Links retired earlier stay retired; retired copies nothing links to any more go.
  std::vector<std::string> doomed_retired;
  for (const auto& r : retired_now) {
    if (links.count(r.id)) continue;
    doomed_retired.push_back(r.key);
    report.deleted_manifests.push_back(r.id);
  }
  if (dry_run) return report;

  // 1. Retired copies of every link, listing only the chunks still needed.
  for (auto& [id, link] : links) {
    RunManifest copy = *link;
    for (auto& t : copy.tables) {
      std::vector<ChunkEntry> still;
      for (auto& c : t.chunks)
        if (needed_chunks.count(c.key)) still.push_back(std::move(c));
      t.chunks = std::move(still);
    }
    std::string rkey = dbkeys::RetiredKey(link->key);
    PutOptions po;
    po.content_type = "application/json";
    auto put = PutString(store, rkey, RunManifestToJson(copy), po);
    if (!put.ok()) return put.status().WithContext("cannot write retired manifest " + rkey);
  }
  DREDGE_RETURN_IF_ERROR(DeleteInOrder(store, dropped, doomed_retired, doomed_chunks, progress));
  log::Info("prune db: kept " + std::to_string(report.kept.size()) + " manifests, retired " +
            std::to_string(report.retired.size()) + ", removed " +
            std::to_string(report.deleted_manifests.size()) + " manifests and " +
            std::to_string(doomed_chunks.size()) + " chunks (" +
            std::to_string(report.deleted_chunk_bytes) + " bytes)");
  return report;
}

}  // namespace dredge
