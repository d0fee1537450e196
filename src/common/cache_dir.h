// Where dredge keeps what it remembers on this machine between runs (locks, state indexes,
// what a store was found to support): $XDG_CACHE_HOME/dredge, else ~/.cache/dredge, else
// /tmp/dredge-<uid>. Nothing there is needed for a restore: deleting it costs only a slower
// next run.
#pragma once

#include <string>

namespace dredge {

std::string DredgeCacheDir();

}  // namespace dredge
