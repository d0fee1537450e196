// What `restore files` does with one snapshot entry, decided from what is at its destination
// before anything is written (engine/files/restore.h carries the decision out; `restore files
// --dry-run` prints it and stops). The decision is pure; reading the destination's state is the
// one I/O step (ReadTargetState), so the rules are unit-tested in-process.
//   nothing there                          → restore
//   a file with the entry's size and MD5   → skip (identical)
//   a directory                            → refuse ("a directory is in the way")
//   anything else (other bytes, a link, …) → conflict, left alone; with --overwrite: replace
// A path that would land outside the target or among the tool's records is refused before
// its destination is looked at (file_keys::SafeRelativePath).
#pragma once

#include <string>

#include "formats/snapshot.h"

namespace dredge {

struct TargetState {
  enum class Kind { kAbsent, kFile, kDirectory, kOther };
  Kind kind = Kind::kAbsent;
  bool same_bytes = false;  // a regular file with the entry's size and MD5
};

enum class RestoreAction { kRestore, kSkip, kConflict, kReplace, kRefuse };

struct RestoreDecision {
  RestoreAction action = RestoreAction::kRefuse;
  std::string message;  // for kConflict and kRefuse: what happened and what to do, naming the path
};

RestoreDecision DecideRestore(const SnapshotEntry& e, const TargetState& target, bool overwrite);

// lstat of `dest`, and for a regular file of the entry's size its MD5 (the one read of its
// bytes). A destination that cannot be stat'ed is absent: creating it then reports the error.
TargetState ReadTargetState(const std::string& dest, const SnapshotEntry& e);

// "would restore", "would skip (identical)", … for a dry run's line about one entry.
const char* DryRunWords(RestoreAction a);

}  // namespace dredge
