#include "engine/files/snapshot_diff.h"

#include <unordered_map>

namespace dredge {
namespace {

bool SameContent(const SnapshotEntry& a, const SnapshotEntry& b) {
  return a.size == b.size && a.md5 == b.md5;
}

// Moves pairs of (removed, added) with equal content into `renamed`.
void PairRenames(SnapshotDiff* d) {
  std::unordered_multimap<std::string, size_t> added_by_content;
  for (size_t i = 0; i < d->added.size(); ++i)
    added_by_content.emplace(d->added[i].md5 + ":" + std::to_string(d->added[i].size), i);
  std::vector<bool> taken(d->added.size(), false);
  std::vector<SnapshotEntry> still_removed;
  for (auto& r : d->removed) {
    auto [lo, hi] = added_by_content.equal_range(r.md5 + ":" + std::to_string(r.size));
    // Lowest added path first: the multimap keeps insertion order within equal keys.
    auto it = lo;
    while (it != hi && taken[it->second]) ++it;
    if (it == hi) {
      still_removed.push_back(std::move(r));
      continue;
    }
    taken[it->second] = true;
    d->renamed.push_back({std::move(r), d->added[it->second]});
  }
  d->removed = std::move(still_removed);
  std::vector<SnapshotEntry> still_added;
  for (size_t i = 0; i < d->added.size(); ++i)
    if (!taken[i]) still_added.push_back(std::move(d->added[i]));
  d->added = std::move(still_added);
}

}  // namespace

SnapshotDiff DiffEntries(const std::vector<SnapshotEntry>& a, const std::vector<SnapshotEntry>& b) {
  SnapshotDiff d;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].path < b[j].path)) {
      d.removed.push_back(a[i++]);
    } else if (i == a.size() || b[j].path < a[i].path) {
      d.added.push_back(b[j++]);
    } else {
      if (SameContent(a[i], b[j]))
        ++d.unchanged;
      else
        d.changed.push_back({a[i], b[j]});
      ++i;
      ++j;
    }
  }
  PairRenames(&d);
  return d;
}

Result<std::vector<SnapshotEntry>> LoadSnapshotEntries(ObjectStore& store, const std::string& id,
                                                       const PathFilter& filter,
                                                       SnapshotHeader* header) {
  std::vector<SnapshotEntry> out;
  DREDGE_RETURN_IF_ERROR(ReadSnapshot(
      store, id,
      [&](const SnapshotEntry& e) {
        if (filter.Selects(e.path)) out.push_back(e);
        return Status::Ok();
      },
      [&](const SnapshotHeader& h) {
        if (header) *header = h;
        return Status::Ok();
      }));
  return out;
}

Result<SnapshotDiff> DiffSnapshots(ObjectStore& store, const std::string& before,
                                   const std::string& after, const PathFilter& filter) {
  DREDGE_ASSIGN_OR_RETURN(auto a, LoadSnapshotEntries(store, before, filter));
  DREDGE_ASSIGN_OR_RETURN(auto b, LoadSnapshotEntries(store, after, filter));
  return DiffEntries(a, b);
}

Result<std::vector<SnapshotSummary>> SummarizeSnapshots(ObjectStore& store,
                                                        const std::vector<SnapshotRef>& refs) {
  std::vector<SnapshotSummary> out;
  std::vector<SnapshotEntry> previous;
  for (const auto& ref : refs) {
    SnapshotHeader h;
    DREDGE_ASSIGN_OR_RETURN(auto entries, LoadSnapshotEntries(store, ref.id, PathFilter(), &h));
    SnapshotSummary s;
    s.ref = ref;
    s.host = h.host;
    s.files = entries.size();
    for (const auto& e : entries) s.bytes += e.size;
    s.changed = DiffEntries(previous, entries).Count();
    out.push_back(std::move(s));
    previous = std::move(entries);
  }
  return out;
}

}  // namespace dredge
