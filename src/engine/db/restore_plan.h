// What `restore db` will do, decided before anything touches the target database (planner →
// plan value → executor): the restore point, the tables it restores (all of the point's, or
// the --table subset, plus the tables their foreign keys reference with --with-dependencies),
// per table its chain, row filter, target name and the chunks to read, and which foreign keys
// are added after every table's rows are loaded or left out (and why).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/db/manifest_store.h"
#include "engine/db/restorer.h"
#include "engine/db/row_filter.h"

namespace dredge {

struct ChunkWork {
  const ChunkEntry* entry;  // points into TableRestorePlan::chain
};

struct TableRestorePlan {
  std::vector<Manifest> chain;  // newest first; chain.front() is the restore point's entry
  std::string into;             // target table name as the user would write it
  bool same_name = true;        // restored under its own name (constraint names kept)
  RowFilter filter;
  std::vector<ChunkWork> work;  // chunks to read, newest run first
  uint64_t chunks_skipped = 0;
  std::optional<int64_t> max_id;  // the sequence goes past it

  const Manifest& entry() const { return chain.front(); }
};

struct RestorePlan {
  std::string manifest_key;
  std::vector<TableRestorePlan> tables;     // in the manifest's (name) order
  std::vector<ForeignKeyRef> foreign_keys;  // added after all rows are loaded
  std::vector<std::string> left_out;        // foreign keys not added, each with the reason
};

// Usage for a combination that cannot make sense (--into with several tables, --table naming
// a table the point does not hold, --replace with filters); Usage/NotFound from the filters
// and the restore point; Corrupt for a broken chain.
Result<RestorePlan> PlanRestore(ObjectStore& store, const PrefixListing& listing,
                                const RunManifest& point, const DbRestoreOptions& opts);

// The chunks of `chain` to read, newest run first; a chunk is left out when the filters
// exclude all its rows and leaving it out cannot let an older version of one of its keys in.
std::vector<ChunkWork> PlanChunks(const std::vector<Manifest>& chain, const RowFilter& filter,
                                  uint64_t* skipped);

}  // namespace dredge
