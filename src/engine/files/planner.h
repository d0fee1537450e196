// Decides, without reading file contents, what a files backup has to look at.
//
// BuildPlan walks the source (sorted) and merges it with the state index (same order):
// - a file whose size, mtime_ns and inode equal its index row is unchanged: skipped, never read;
// - any other file becomes a WorkItem (hashed later; a touch with equal content uploads nothing);
// - an index row (not yet marked removed, selected by the filter) with no file is "removed".
// When `use_listing` is set (no index, the previous run did not finish, or a prune ran since), the
// store's listing (loaded into the index's remote table by LoadListing) tells what is already
// stored: a file without an index row but with an object of equal size and ETag is then skipped
// after hashing, and an unchanged file counts as unchanged only when the listing still holds its
// object (size equal, ETag equal to the indexed MD5 unless multipart); otherwise it is stored
// again, and what the store holds at its key (from the listing) is what gets preserved.
//
// EvaluateDamageGuard: compares the number of previously backed-up files that would be changed
// or removed against max_change_pct. The cheap estimate counts metadata changes; only when that
// estimate trips does it hash those candidates (filling WorkItem::md5) so that a mass `touch`
// does not stop a backup. Nothing is written by either function.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/files/glob.h"
#include "engine/files/record_spill.h"
#include "engine/files/state_index.h"
#include "engine/files/walker.h"
#include "store/object_store.h"

namespace dredge {

struct WorkItem {
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
  // What the store is believed to hold at this key (from the index, else the listing).
  bool has_prev = false;
  bool prev_removed = false;       // the file had left the source: not counted as a change
  bool prev_from_listing = false;  // prev_md5 is an ETag (maybe multipart "<hex>-<n>")
  std::string prev_md5;
  uint64_t prev_size = 0;
  // Filled when the guard hashed the file (with the stat it hashed under).
  std::string md5;
};

// The lists below grow with the number of files, so they live in temporary files (RecordSpill),
// not in memory: a first backup of 100,000 files holds no per-file state.
struct Plan {
  std::unique_ptr<RecordSpill> work;  // WorkItems (read with ForEachWorkItem)
  uint64_t work_bytes = 0;            // sum of their sizes
  // Paths that were backed up, are selected, and are now absent from the source.
  std::unique_ptr<RecordSpill> removed;  // read with ForEachPath
  // With an empty index: listed objects that match no file. They become index rows marked
  // removed, so a file that later appears under such a name preserves the object first.
  std::unique_ptr<RecordSpill> listed_only;  // IndexRows (read with ForEachIndexRow)
  uint64_t scanned = 0;
  uint64_t scanned_bytes = 0;
  uint64_t unchanged = 0;
  uint64_t previous = 0;  // previously backed-up selected files (the guard's base)
  uint64_t walk_errors = 0;
  std::vector<std::string> walk_error_names;
  bool used_listing = false;
};

// Replaces the index's remote table with the store's listing of data objects.
Status LoadListing(ObjectStore& store, StateIndex& index);

// `tmp_dir` holds the plan's temporary files.
Result<Plan> BuildPlan(StateIndex& index, const std::string& source, const PathFilter& filter,
                       bool use_listing, const std::string& tmp_dir = "/tmp");

// Read the plan's lists from the start (each may be read any number of times).
Status ForEachWorkItem(RecordSpill& spill, const std::function<Status(WorkItem&)>& fn);
Status ForEachPath(RecordSpill& spill, const std::function<Status(const std::string&)>& fn);
Status ForEachIndexRow(RecordSpill& spill, const std::function<Status(IndexRow&)>& fn);

struct GuardResult {
  bool tripped = false;
  uint64_t changed = 0;
  uint64_t removed = 0;
  uint64_t previous = 0;
  std::string message;  // why it tripped, what to do
};

// Hashes with `workers` threads when refinement is needed. Files that fail to hash count as
// changed (conservative). Refinement rewrites plan.work (items then carry their md5, and their
// order may change); an error doing so is returned.
Result<GuardResult> EvaluateDamageGuard(Plan& plan, const std::string& source,
                                        double max_change_pct, int workers,
                                        const std::string& tmp_dir = "/tmp");

// True for a lower-case 32-hex MD5 (a single-part ETag), false for multipart ETags.
bool IsPlainMd5(const std::string& s);

}  // namespace dredge
