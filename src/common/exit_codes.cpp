#include "common/exit_codes.h"

#include <algorithm>

namespace dredge {

int ExitCodeFor(const Status& status) {
  switch (status.kind()) {
    case ErrorKind::kOk:
      return kExitOk;
    case ErrorKind::kUsage:
      return kExitUsage;
    case ErrorKind::kPartial:
      return kExitPartial;
    case ErrorKind::kCorrupt:
    case ErrorKind::kMismatch:
      return kExitMismatch;
    case ErrorKind::kLockHeld:
      return kExitLockHeld;
    case ErrorKind::kStale:
      return kExitStale;
    default:
      return kExitError;
  }
}

int CombineExitCodes(const std::vector<int>& codes) {
  static const int kOrder[] = {kExitUsage,   kExitError,    kExitMismatch,
                               kExitPartial, kExitLockHeld, kExitStale};
  for (int c : kOrder)
    if (std::find(codes.begin(), codes.end(), c) != codes.end()) return c;
  return kExitOk;
}

}  // namespace dredge
