// The one place that maps error kinds to process exit codes (documented in README):
//   0 ok · 1 error (could not do the job) · 2 usage · 3 partial · 4 mismatch or corruption
//   · 5 lock held · 6 stale.
// When several outcomes apply (several destinations or tiers), the first in the order
// 1, 4, 3, 5, 6 wins; 2 (usage) is decided before any work starts.
#pragma once

#include <vector>

#include "common/status.h"

namespace dredge {

enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,
  kExitUsage = 2,
  kExitPartial = 3,
  kExitMismatch = 4,
  kExitLockHeld = 5,
  kExitStale = 6,
};

int ExitCodeFor(const Status& status);
// Combines the codes of several runs by the precedence order above.
int CombineExitCodes(const std::vector<int>& codes);

}  // namespace dredge
