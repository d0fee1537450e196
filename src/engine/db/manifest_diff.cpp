#include "engine/db/manifest_diff.h"

#include <set>

#include "engine/db/restorable_state.h"

namespace dredge {
namespace {

Result<TableState> StateOf(ObjectStore& store, const Manifest* m) {
  if (!m) return TableState{};
  std::vector<size_t> key_idx;
  return RestorableState(store, *m, &key_idx);
}

}  // namespace

Result<std::vector<TableChange>> DiffManifests(ObjectStore& store, const RunManifest& a,
                                               const RunManifest& b) {
  std::set<std::string> tables;
  for (const auto& t : a.tables) tables.insert(t.table);
  for (const auto& t : b.tables) tables.insert(t.table);
  std::vector<TableChange> out;
  for (const auto& name : tables) {
    DREDGE_ASSIGN_OR_RETURN(TableState before, StateOf(store, a.Find(name)));
    DREDGE_ASSIGN_OR_RETURN(TableState after, StateOf(store, b.Find(name)));
    TableChange c;
    c.table = name;
    for (const auto& [key, v] : after.rows) {
      auto it = before.rows.find(key);
      if (it != before.rows.end() && it->second.hash == v.hash) {
        ++c.unchanged;
        continue;
      }
      ++(it == before.rows.end() ? c.inserted : c.updated);
      ++c.chunks[after.chunks[v.chunk]];
    }
    for (const auto& [key, v] : before.rows) c.deleted += after.rows.count(key) ? 0 : 1;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace dredge
