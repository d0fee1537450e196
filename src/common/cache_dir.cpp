#include "common/cache_dir.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace dredge {

std::string DredgeCacheDir() {
  namespace fs = std::filesystem;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    return (fs::path(x) / "dredge").string();
  if (const char* h = std::getenv("HOME"); h && *h)
    return (fs::path(h) / ".cache" / "dredge").string();
  return "/tmp/dredge-" + std::to_string(::getuid());
}

}  // namespace dredge
