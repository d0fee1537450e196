// Decides, without reading file contents, what a files backup has to look at.
//
// BuildPlan walks the source (sorted) and merges it with the state index (same order):
// - a file whose size, mtime_ns and inode equal its index row is unchanged: skipped, never read;
// - any other file becomes a WorkItem (hashed later; a touch with equal content uploads nothing);
// - an index row (not yet marked removed, selected by the filter) with no file is "removed".
// When `use_listing` is set (no index, or the previous run did not finish), the store's listing
// (loaded into the index's remote table by LoadListing) tells what is already stored: a file
// without an index row but with an object of equal size and ETag is then skipped after hashing.
//
// EvaluateDamageGuard: compares the number of previously backed-up files that would be changed
// or removed against max_change_pct. The cheap estimate counts metadata changes; only when that
// estimate trips does it hash those candidates (filling WorkItem::md5) so that a mass `touch`
// does not stop a backup. Nothing is written by either function.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/files/glob.h"
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

struct Plan {
  std::vector<WorkItem> work;
  std::vector<std::string> removed;  // were backed up, selected, now absent from the source
  // With an empty index: listed objects that match no file. They become index rows marked
  // removed, so a file that later appears under such a name preserves the object first.
  std::vector<IndexRow> listed_only;
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

Result<Plan> BuildPlan(StateIndex& index, const std::string& source, const PathFilter& filter,
                       bool use_listing);

struct GuardResult {
  bool tripped = false;
  uint64_t changed = 0;
  uint64_t removed = 0;
  uint64_t previous = 0;
  std::string message;  // why it tripped, what to do
};

// Hashes with `workers` threads when refinement is needed. Files that fail to hash count as
// changed (conservative).
GuardResult EvaluateDamageGuard(Plan& plan, const std::string& source, double max_change_pct,
                                int workers);

// True for a lower-case 32-hex MD5 (a single-part ETag), false for multipart ETags.
bool IsPlainMd5(const std::string& s);

}  // namespace dredge
