// Walks a source directory and reports its regular files, streamed, in ascending byte order of
// their relative paths (the order object keys sort in, and the state index's order).
//
// - Only regular files are reported. Symbolic links are never followed (neither to files nor to
//   directories) and are skipped; special files (sockets, FIFOs, devices) are skipped with a
//   warning issue.
// - A directory named ".dredge" directly under the root is never entered.
// - A directory or entry that cannot be read is reported as an error issue naming its path; the
//   walk continues with the rest.
// - Memory is bounded by the largest single directory (its names are sorted), not the tree.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "engine/files/glob.h"

namespace dredge {

struct WalkEntry {
  std::string rel_path;  // '/'-separated, byte-exact
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  uint64_t inode = 0;
};

struct WalkIssue {
  std::string rel_path;
  std::string message;
  bool error = false;  // false: a warning (skipped special file)
};

using WalkFileFn = std::function<Status(const WalkEntry&)>;
using WalkIssueFn = std::function<void(const WalkIssue&)>;

// Calls on_file for every selected regular file. A non-ok Status from on_file stops the walk
// and is returned. Io when the root itself cannot be opened.
Status WalkTree(const std::string& root, const PathFilter& filter, const WalkFileFn& on_file,
                const WalkIssueFn& on_issue);

// Statistics of one file by path (no symlink following); used to re-check a file before and
// after reading it.
Result<WalkEntry> StatFile(const std::string& path);

}  // namespace dredge
