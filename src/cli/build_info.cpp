#include "cli/build_info.h"

// The dredge binary links a generated definition of this array (build/generated/build_commit.cpp,
// cmake/version.cmake) that replaces this weak empty one. Only that one small file is rebuilt
// when the commit changes; binaries without it (the tests) get "".
extern "C" {
__attribute__((weak)) extern const char dredge_build_commit[] = "";
}

namespace dredge {

std::string BuildCommit() {
  // Read through a volatile pointer so the compiler cannot fold the weak default in.
  const char* volatile commit = dredge_build_commit;
  return commit;
}

std::string VersionText() {
  std::string commit = BuildCommit();
  return std::string("dredge ") + DREDGE_VERSION + (commit.empty() ? "" : " (git " + commit + ")");
}

}  // namespace dredge
