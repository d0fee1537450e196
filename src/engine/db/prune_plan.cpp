#include "engine/db/prune_plan.h"

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

// What the store holds: dredge manifests (legacy ones are left alone) oldest first, copies
// retired by an earlier prune, and every chunk with its size.
struct DbState {
  std::vector<RunManifest> manifests;
  std::vector<RunManifest> retired_now;
  std::map<std::string, uint64_t> chunk_sizes;
};

Result<DbState> LoadState(ObjectStore& store) {
  DbState st;
  DREDGE_ASSIGN_OR_RETURN(PrefixListing listing, ListPrefix(store));
  for (const auto& key : listing.manifest_keys) {
    auto m = LoadManifest(store, key);
    if (!m.ok() && m.status().Is(ErrorKind::kUnsupported)) continue;
    if (!m.ok()) return m.status().WithContext("prune db stops before deleting anything");
    st.manifests.push_back(std::move(*m));
  }
  DREDGE_RETURN_IF_ERROR(store.List(dbkeys::kRetiredPrefix, [&](const ObjectInfo& o) {
    auto m = LoadManifest(store, o.key);
    if (!m.ok()) return m.status().WithContext("prune db stops before deleting anything");
    st.retired_now.push_back(std::move(*m));
    return Status::Ok();
  }));
  DREDGE_RETURN_IF_ERROR(store.List(dbkeys::kChunkPrefix, [&](const ObjectInfo& o) {
    if (dbkeys::ParseChunkKey(o.key)) st.chunk_sizes[o.key] = o.size;
    return Status::Ok();
  }));
  return st;
}

std::set<std::string> KeepIds(const DbKeepPolicy& keep, const std::vector<RunManifest>& ms) {
  std::vector<DbRestorePoint> points;
  for (const auto& m : ms) {
    int64_t t = 0;
    if (auto stamp = dbkeys::ManifestStamp(m.key)) {
      auto parsed = ParseCompactUtc(*stamp);
      if (parsed.ok()) t = *parsed;
    }
    points.push_back({m.id, t});
  }
  std::set<std::string> ids;
  for (auto& id : keep(points)) ids.insert(id);
  ids.insert(ms.back().id);  // the next backup continues from the newest
  return ids;
}

// Manifests the policy drops whose version, or a version of one of whose chunks, a lock holds
// stay restore points (a chunk that outlived its manifest could look like the original script's
// and never go); the others' removal (every version on a versioned store) goes to
// plan.manifests.
Status HoldLocked(ObjectStore& store, const VersionMap& versions, const DbState& st,
                  std::set<std::string>& keep_ids, DbPrunePlan& plan) {
  for (const auto& m : st.manifests) {
    if (keep_ids.count(m.id)) continue;
    PruneTargets t;
    DREDGE_ASSIGN_OR_RETURN(size_t locked, versions.Expand(store, m.key, 0, "manifest", {}, t));
    for (const auto& table : m.tables)
      for (const auto& c : table.chunks) {
        PruneTargets scratch;
        DREDGE_ASSIGN_OR_RETURN(size_t n, versions.Expand(store, c.key, 0, "chunk", {}, scratch));
        locked += n;
        for (auto& l : scratch.locked) t.locked.push_back(std::move(l));
      }
    if (locked == 0) {
      for (auto& r : t.remove) plan.manifests.remove.push_back(std::move(r));
      continue;
    }
    keep_ids.insert(m.id);
    plan.locked_ids.push_back(m.id);
    for (auto& l : t.locked) plan.locked_manifests.push_back(l);
  }
  return Status::Ok();
}

// What every kept manifest needs: the chunks it reads, and its chain's links that are not kept
// (id → the manifest or retired copy that holds the link).
struct Needs {
  std::set<std::string> chunks;
  std::map<std::string, const RunManifest*> links;
};

Result<Needs> FindNeeds(ObjectStore& store, const DbState& st,
                        const std::set<std::string>& keep_ids, DbPrunePlan& plan) {
  Needs n;
  KeyCache cache(store);
  std::map<std::string, const RunManifest*> by_id;  // retired copies first: originals win
  for (const auto& m : st.retired_now) by_id[m.id] = &m;
  for (const auto& m : st.manifests) by_id[m.id] = &m;
  for (const auto& m : st.manifests) {
    if (!keep_ids.count(m.id)) continue;
    plan.kept.push_back(m.id);
    for (const Manifest& table : m.tables) {
      DREDGE_ASSIGN_OR_RETURN(std::vector<Manifest> chain, LoadChain(store, table));
      DREDGE_RETURN_IF_ERROR(MarkNeeded(chain, cache, &n.chunks)
                                 .WithContext("prune db stops before deleting anything"));
      for (const auto& link : chain)
        if (!keep_ids.count(link.id) && by_id.count(link.id))
          n.links.emplace(link.id, by_id[link.id]);
    }
  }
  return n;
}

// The highest-numbered chunk stays whatever it is: the next run numbers after it, and chunk
// numbers never repeat (an empty newest run lists none to number after).
std::string HighestChunk(const DbState& st) {
  std::string highest;
  uint64_t highest_number = 0;
  for (const auto& [key, size] : st.chunk_sizes) {
    uint64_t n = dbkeys::ParseChunkKey(key)->number;
    if (highest.empty() || n > highest_number) highest = key, highest_number = n;
  }
  return highest;
}

// Chunks no kept manifest needs; debris (listed by no manifest) only when an aborted dredge run
// wrote it. Locked versions stay in plan.chunks.locked.
Status PlanChunks(ObjectStore& store, const VersionMap& versions, const DbState& st,
                  const Needs& needs, DbPrunePlan& plan) {
  std::set<std::string> listed;
  uint64_t first_number = UINT64_MAX;
  for (const auto* list : {&st.manifests, &st.retired_now})
    for (const auto& m : *list)
      for (const auto& t : m.tables)
        for (const auto& c : t.chunks) {
          listed.insert(c.key);
          first_number = std::min(first_number, c.number);
        }
  const std::string newest_run = st.manifests.back().run;
  const std::string highest = HighestChunk(st);
  for (const auto& [key, size] : st.chunk_sizes) {
    if (needs.chunks.count(key) || key == highest) continue;
    bool debris = !listed.count(key);
    if (debris) {
      auto name = dbkeys::ParseChunkKey(key);
      // Before dredge's first listed chunk: the original script's, or unknown: keep.
      if (first_number == UINT64_MAX || name->number <= first_number) continue;
      if (!(name->stamp < newest_run)) continue;  // a run at least as new as the newest: keep
    }
    DREDGE_ASSIGN_OR_RETURN(size_t locked,
                            versions.Expand(store, key, size, "chunk", {}, plan.chunks));
    if (locked > 0) continue;
    plan.debris_chunks += debris ? 1 : 0;
    plan.deleted_chunks.push_back(key);
    plan.deleted_chunk_bytes += size;
  }
  return Status::Ok();
}

// True when both list the same tables with the same chunks, in the same order.
bool SameChunks(const RunManifest& a, const RunManifest& b) {
  if (a.tables.size() != b.tables.size()) return false;
  for (size_t i = 0; i < a.tables.size(); ++i) {
    const auto &x = a.tables[i], &y = b.tables[i];
    if (x.table != y.table || x.chunks.size() != y.chunks.size()) return false;
    for (size_t j = 0; j < x.chunks.size(); ++j)
      if (x.chunks[j].key != y.chunks[j].key) return false;
  }
  return true;
}

// Dropped manifests: chain links get a retired copy listing only the chunks still needed; the
// rest go. Retired copies nothing links to any more go as well. A retired copy is written only
// when it differs from the one stored: a prune that changes nothing writes nothing (on a
// versioned bucket every rewrite would leave one more noncurrent version behind).
Status PlanManifests(ObjectStore& store, const VersionMap& versions, const DbState& st,
                     const std::set<std::string>& keep_ids, const Needs& needs, DbPrunePlan& plan) {
  for (const auto& m : st.manifests) {
    if (keep_ids.count(m.id)) continue;
    (needs.links.count(m.id) ? plan.retired : plan.deleted_manifests).push_back(m.id);
  }
  std::map<std::string, const RunManifest*> stored;
  for (const auto& r : st.retired_now) stored[r.id] = &r;
  for (const auto& [id, link] : needs.links) {
    RunManifest copy = *link;
    for (auto& t : copy.tables) {
      std::vector<ChunkEntry> still;
      for (auto& c : t.chunks)
        if (needs.chunks.count(c.key)) still.push_back(std::move(c));
      t.chunks = std::move(still);
    }
    auto it = stored.find(id);
    if (it != stored.end() && SameChunks(*it->second, copy)) continue;
    plan.retired_copies.push_back(std::move(copy));
  }
  for (const auto& r : st.retired_now) {
    if (needs.links.count(r.id)) continue;
    DREDGE_ASSIGN_OR_RETURN(size_t locked,
                            versions.Expand(store, r.key, 0, "manifest", {}, plan.manifests));
    if (locked == 0) plan.deleted_manifests.push_back(r.id);
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

LockSummary DbPrunePlan::Locks() const {
  std::vector<LockedVersion> all = locked_manifests;
  all.insert(all.end(), manifests.locked.begin(), manifests.locked.end());
  all.insert(all.end(), chunks.locked.begin(), chunks.locked.end());
  return SummarizeLocks(all);
}

Result<DbPrunePlan> PlanDbPrune(ObjectStore& store, const DbKeepPolicy& keep, int64_t now_s) {
  DbPrunePlan plan;
  plan.now_s = now_s;
  DREDGE_ASSIGN_OR_RETURN(DbState st, LoadState(store));
  if (st.manifests.empty()) return plan;  // nothing to choose from; debris needs a manifest
  DREDGE_ASSIGN_OR_RETURN(VersionMap versions, VersionMap::Load(store, dbkeys::kTierPrefix, now_s));
  plan.versioned = versions.versioned();
  std::set<std::string> keep_ids = KeepIds(keep, st.manifests);
  DREDGE_RETURN_IF_ERROR(HoldLocked(store, versions, st, keep_ids, plan));
  DREDGE_ASSIGN_OR_RETURN(Needs needs, FindNeeds(store, st, keep_ids, plan));
  DREDGE_RETURN_IF_ERROR(PlanChunks(store, versions, st, needs, plan));
  DREDGE_RETURN_IF_ERROR(PlanManifests(store, versions, st, keep_ids, needs, plan));
  return plan;
}

}  // namespace dredge
