// What changed in the database tier between two manifests (`dredge diff --tier db A B`): per
// table, the keys inserted (live in B only), deleted (live in A only) and updated (live in both,
// with a different row), and for the inserted and updated rows the chunk of B's chain each came
// from. Exact: both restorable states are read from the chunks (engine/db/restorable_state.h).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "formats/manifest.h"
#include "store/object_store.h"

namespace dredge {

struct TableChange {
  std::string table;  // qualified
  uint64_t inserted = 0, updated = 0, deleted = 0, unchanged = 0;
  std::map<std::string, uint64_t> chunks;  // chunk key → inserted + updated rows it holds
};

// One entry per table of A or B, in table order. A table only in B is all inserted; one only in
// A all deleted.
Result<std::vector<TableChange>> DiffManifests(ObjectStore& store, const RunManifest& a,
                                               const RunManifest& b);

}  // namespace dredge
