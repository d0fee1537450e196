#include "engine/files/restore_decide.h"

#include <sys/stat.h>

#include "common/hash.h"

namespace dredge {

RestoreDecision DecideRestore(const SnapshotEntry& e, const TargetState& target, bool overwrite) {
  switch (target.kind) {
    case TargetState::Kind::kAbsent:
      return {RestoreAction::kRestore, ""};
    case TargetState::Kind::kDirectory:
      return {RestoreAction::kRefuse, "cannot restore " + e.path + ": a directory is in the way"};
    case TargetState::Kind::kFile:
      if (target.same_bytes) return {RestoreAction::kSkip, ""};
      break;
    case TargetState::Kind::kOther:
      break;
  }
  if (overwrite) return {RestoreAction::kReplace, ""};
  return {RestoreAction::kConflict,
          "left alone: " + e.path + " exists and differs from the snapshot (use --overwrite)"};
}

TargetState ReadTargetState(const std::string& dest, const SnapshotEntry& e) {
  struct stat st {};
  if (::lstat(dest.c_str(), &st) != 0) return {};
  if (S_ISDIR(st.st_mode)) return {TargetState::Kind::kDirectory, false};
  if (!S_ISREG(st.st_mode)) return {TargetState::Kind::kOther, false};
  bool same = false;
  if (static_cast<uint64_t>(st.st_size) == e.size) {
    auto md5 = Md5HexOfFile(dest);
    same = md5.ok() && *md5 == e.md5;
  }
  return {TargetState::Kind::kFile, same};
}

const char* DryRunWords(RestoreAction a) {
  switch (a) {
    case RestoreAction::kRestore:
      return "would restore";
    case RestoreAction::kReplace:
      return "would replace";
    case RestoreAction::kSkip:
      return "would skip (identical)";
    case RestoreAction::kConflict:
      return "would leave alone (differs; --overwrite replaces it)";
    case RestoreAction::kRefuse:
      return "cannot restore";
  }
  return "?";
}

}  // namespace dredge
